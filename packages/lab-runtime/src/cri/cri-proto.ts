import { existsSync } from 'node:fs';
import type { GrpcObject, ServiceClientConstructor } from '@grpc/grpc-js';
import { loadPackageDefinition } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import {
  CRI_API_MODULE,
  CRI_API_PROTO_FILE,
  CRI_API_PROTO_IN_MODULE,
  cachedArtifactPath,
} from '../lab-binaries.ts';
import { RuntimeError } from '../runtime-error.ts';

// How the messages reach the handlers; cri-types.ts describes this shape.
const LOADER_OPTIONS = {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
} as const;

export interface CriServices {
  RuntimeService: ServiceClientConstructor;
  ImageService: ServiceClientConstructor;
}

/** The CRI API's api.proto beside the lab's binaries (the build copies it there). */
export function defaultCriProtoPath(env: NodeJS.ProcessEnv = process.env): string {
  return cachedArtifactPath(CRI_API_PROTO_FILE, env);
}

/** Loads the CRI services from `api.proto`; a missing file is an error saying how to get it. */
export function loadCriServices(protoPath: string): CriServices {
  if (!existsSync(protoPath)) {
    throw new RuntimeError(
      'LOOM_RUNTIME_CRI_API_MISSING',
      `cannot load the CRI API: ${protoPath} does not exist; run \`loom lab build\` (it copies ` +
        `${CRI_API_MODULE}'s api.proto beside the binaries) or pass --cri-proto with the path of its ${CRI_API_PROTO_IN_MODULE}`,
    );
  }
  const definition = loadSync(protoPath, LOADER_OPTIONS);
  const runtime = loadPackageDefinition(definition).runtime as GrpcObject;
  const v1 = runtime.v1 as GrpcObject;
  return {
    RuntimeService: v1.RuntimeService as ServiceClientConstructor,
    ImageService: v1.ImageService as ServiceClientConstructor,
  };
}

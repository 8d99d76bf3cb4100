import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { GrpcObject, ServiceClientConstructor } from '@grpc/grpc-js';
import { loadPackageDefinition } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { LabError } from '../errors.ts';

/** The CRI API the kubelet of the lab's Kubernetes version speaks. */
export const CRI_API_MODULE = 'k8s.io/cri-api@v0.37.2';
const PROTO_IN_MODULE = 'pkg/apis/runtime/v1/api.proto';

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

function goModCache(env: NodeJS.ProcessEnv): string {
  if (env.GOMODCACHE) return env.GOMODCACHE;
  const go = spawnSync('go', ['env', 'GOMODCACHE'], { encoding: 'utf8' });
  const fromGo = go.status === 0 ? go.stdout.trim() : '';
  if (fromGo !== '') return fromGo;
  return join(env.GOPATH || join(homedir(), 'go'), 'pkg', 'mod');
}

/** `api.proto` of k8s.io/cri-api in the Go module cache (the lab's build downloads it). */
export function defaultCriProtoPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(goModCache(env), CRI_API_MODULE, PROTO_IN_MODULE);
}

/** Loads the CRI services from `api.proto`; a missing file is an error saying how to get it. */
export function loadCriServices(protoPath: string): CriServices {
  if (!existsSync(protoPath)) {
    throw new LabError(
      'LOOM_LAB_BINARIES_MISSING',
      `cannot load the CRI API: ${protoPath} does not exist; run \`go mod download ${CRI_API_MODULE}\` ` +
        'or pass --cri-proto with the path of its pkg/apis/runtime/v1/api.proto',
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

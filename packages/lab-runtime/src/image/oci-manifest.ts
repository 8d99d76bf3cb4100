/**
 * The JSON documents of an image (OCI image-spec v1.1, and Docker's schema 2 which it grew
 * from): descriptors, indexes, manifests, the config. Pure: every check throws a message that
 * says which document and which field, and the archive reader adds the file.
 */

export const MEDIA_TYPES = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
} as const;

export type LayerCompression = 'gzip' | 'zstd' | 'none';

/** Layer media types this runtime unpacks, and how each is compressed. */
const LAYER_TYPES: Record<string, LayerCompression> = {
  'application/vnd.oci.image.layer.v1.tar': 'none',
  'application/vnd.oci.image.layer.v1.tar+gzip': 'gzip',
  'application/vnd.oci.image.layer.v1.tar+zstd': 'zstd',
  'application/vnd.docker.image.rootfs.diff.tar': 'none',
  'application/vnd.docker.image.rootfs.diff.tar.gzip': 'gzip',
  'application/vnd.docker.image.rootfs.diff.tar.zstd': 'zstd',
};

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations: Record<string, string>;
  platform?: { os: string; architecture: string; variant?: string };
}

export interface ImageManifest {
  config: Descriptor;
  layers: (Descriptor & { compression: LayerCompression })[];
}

/** What the runtime uses of the image config (`config` of the OCI config JSON). */
export interface OciProcessConfig {
  user: string;
  env: string[];
  entrypoint: string[];
  cmd: string[];
  workingDir: string;
  stopSignal: string;
}

export interface ImageConfig {
  process: OciProcessConfig;
  /** `rootfs.diff_ids`: the sha256 of each uncompressed layer, bottom first. */
  diffIds: string[];
  os: string;
  architecture: string;
}

type Json = Record<string, unknown>;
const DIGEST = /^sha256:[0-9a-f]{64}$/;

export class ManifestError extends Error {}

function fail(message: string): never {
  throw new ManifestError(message);
}

export function parseJson(text: string, what: string): Json {
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Json;
  } catch {}
  return fail(`${what} is not a JSON object`);
}

function strings(value: unknown, where: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    fail(`${where} must be a list of strings`);
  }
  return value as string[];
}

function annotations(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null) return {};
  const entries = Object.entries(value).filter(([, v]) => typeof v === 'string');
  return Object.fromEntries(entries) as Record<string, string>;
}

export function parseDescriptor(raw: unknown, where: string): Descriptor {
  const value = (raw ?? {}) as Json;
  if (typeof value.mediaType !== 'string') fail(`${where}.mediaType is missing`);
  if (typeof value.digest !== 'string' || !DIGEST.test(value.digest)) {
    fail(`${where}.digest must be sha256:<64 hex> (other algorithms are not supported)`);
  }
  if (!Number.isSafeInteger(value.size) || (value.size as number) < 0) {
    fail(`${where}.size must be a byte count`);
  }
  const descriptor: Descriptor = {
    mediaType: value.mediaType as string,
    digest: value.digest as string,
    size: value.size as number,
    annotations: annotations(value.annotations),
  };
  const platform = value.platform as Json | undefined;
  if (typeof platform?.os === 'string' && typeof platform.architecture === 'string') {
    descriptor.platform = { os: platform.os, architecture: platform.architecture };
    if (typeof platform.variant === 'string') descriptor.platform.variant = platform.variant;
  }
  return descriptor;
}

/** index.json, or a nested index: its manifests' descriptors. */
export function parseIndex(json: Json, what: string): Descriptor[] {
  if (!Array.isArray(json.manifests)) fail(`${what} has no "manifests" list`);
  return (json.manifests as unknown[]).map((m, i) => parseDescriptor(m, `${what} manifests[${i}]`));
}

export function isIndexType(mediaType: string): boolean {
  return mediaType === MEDIA_TYPES.ociIndex || mediaType === MEDIA_TYPES.dockerList;
}

export function isManifestType(mediaType: string): boolean {
  return mediaType === MEDIA_TYPES.ociManifest || mediaType === MEDIA_TYPES.dockerManifest;
}

export function parseManifest(json: Json, what: string): ImageManifest {
  const config = parseDescriptor(json.config, `${what} config`);
  if (config.mediaType !== MEDIA_TYPES.ociConfig && config.mediaType !== MEDIA_TYPES.dockerConfig) {
    fail(`${what} config has unsupported media type ${config.mediaType}`);
  }
  if (!Array.isArray(json.layers)) fail(`${what} has no "layers" list`);
  const layers = (json.layers as unknown[]).map((raw, i) => {
    const layer = parseDescriptor(raw, `${what} layers[${i}]`);
    const compression = LAYER_TYPES[layer.mediaType];
    if (compression === undefined) {
      fail(`${what} layers[${i}] (${layer.digest}) has unsupported media type ${layer.mediaType}`);
    }
    return { ...layer, compression };
  });
  return { config, layers };
}

export function parseImageConfig(json: Json, what: string): ImageConfig {
  const rootfs = (json.rootfs ?? {}) as Json;
  if (rootfs.type !== 'layers') fail(`${what} rootfs.type must be "layers"`);
  const diffIds = strings(rootfs.diff_ids, `${what} rootfs.diff_ids`);
  const bad = diffIds.find((id) => !DIGEST.test(id));
  if (bad !== undefined) fail(`${what} rootfs.diff_ids has "${bad}", not sha256:<64 hex>`);
  const config = (json.config ?? {}) as Json;
  const env = strings(config.Env, `${what} config.Env`);
  const badEnv = env.find((entry) => !entry.includes('='));
  if (badEnv !== undefined) fail(`${what} config.Env entry "${badEnv}" is not NAME=value`);
  const text = (value: unknown) => (typeof value === 'string' ? value : '');
  return {
    process: {
      user: text(config.User),
      env,
      entrypoint: strings(config.Entrypoint, `${what} config.Entrypoint`),
      cmd: strings(config.Cmd, `${what} config.Cmd`),
      workingDir: text(config.WorkingDir),
      stopSignal: text(config.StopSignal),
    },
    diffIds,
    os: text(json.os),
    architecture: text(json.architecture),
  };
}

/** Docker's `manifest.json` of `docker save`: one entry per image. */
export interface DockerSaveEntry {
  config: string;
  repoTags: string[];
  layers: string[];
}

export function parseDockerSaveManifest(text: string): DockerSaveEntry[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    fail('manifest.json is not JSON');
  }
  if (!Array.isArray(raw)) fail('manifest.json must be a list');
  return (raw as Json[]).map((entry, i) => {
    if (typeof entry?.Config !== 'string') fail(`manifest.json[${i}].Config is missing`);
    return {
      config: entry.Config as string,
      repoTags: strings(entry.RepoTags, `manifest.json[${i}].RepoTags`),
      layers: strings(entry.Layers, `manifest.json[${i}].Layers`),
    };
  });
}

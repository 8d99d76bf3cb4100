// The documents that point at blobs: the image manifest (image-spec manifest.md), the layout's
// index.json (image-layout.md) and the `manifest.json` of `docker save`, which `docker load`,
// `kind load image-archive` and `ctr images import` also read.
import type { Digest } from './digest.ts';
import { digestHex } from './digest.ts';
import { ANNOTATION, MEDIA_TYPE } from './media-types.ts';

export interface Descriptor {
  mediaType: string;
  digest: Digest;
  size: number;
  annotations?: Record<string, string>;
  platform?: { architecture: string; os: string };
}

export interface ImageManifest {
  schemaVersion: 2;
  mediaType: typeof MEDIA_TYPE.manifest;
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string>;
}

export interface ImageIndex {
  schemaVersion: 2;
  mediaType: typeof MEDIA_TYPE.index;
  manifests: Descriptor[];
}

/** One image of a `docker save` archive: paths inside the archive, not digests. */
export interface DockerManifestEntry {
  Config: string;
  RepoTags: string[];
  Layers: string[];
}

export function buildManifest(
  config: Descriptor,
  layers: readonly Descriptor[],
  annotations?: Record<string, string>,
): ImageManifest {
  return {
    schemaVersion: 2,
    mediaType: MEDIA_TYPE.manifest,
    config,
    layers: [...layers],
    ...(annotations ? { annotations } : {}),
  };
}

/** A parsed image reference: `ghcr.io/loom-net/loom:0.1.0` → its tag `0.1.0`. */
export function referenceTag(reference: string): string {
  const match = /^[a-z0-9][a-z0-9._\-/:]*[a-z0-9]:([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})$/.exec(
    reference,
  );
  if (!match || reference.includes('@'))
    throw new Error(`not an image reference with a tag (registry/name:tag): ${reference}`);
  return match[1]!;
}

/** index.json naming the manifest by its tag and, for containerd, by its full reference. */
export function buildIndex(
  manifest: Descriptor,
  reference: string,
  platform: Descriptor['platform'],
): ImageIndex {
  return {
    schemaVersion: 2,
    mediaType: MEDIA_TYPE.index,
    manifests: [
      {
        ...manifest,
        annotations: {
          [ANNOTATION.containerdImageName]: reference,
          [ANNOTATION.refName]: referenceTag(reference),
        },
        ...(platform ? { platform } : {}),
      },
    ],
  };
}

/** The path of a blob inside the layout. */
export function blobPath(digest: Digest): string {
  return `blobs/sha256/${digestHex(digest)}`;
}

export function buildDockerManifest(
  config: Digest,
  layers: readonly Digest[],
  reference: string,
): DockerManifestEntry[] {
  return [{ Config: blobPath(config), RepoTags: [reference], Layers: layers.map(blobPath) }];
}

// Writes an image as one tar holding an OCI image layout (image-spec image-layout.md:
// `oci-layout`, `index.json`, `blobs/sha256/<hex>`) plus the `manifest.json` of `docker save`,
// so the one file is what `ctr images import`, `kind load image-archive`, `skopeo copy
// oci-archive:` and `docker load` take. Written to a temporary name, then renamed.
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type Digest, jsonBlob } from './digest.ts';
import { buildImageConfig, type ContainerDefaults } from './image-config.ts';
import type { LayerBlob } from './layer.ts';
import {
  blobPath,
  buildDockerManifest,
  buildIndex,
  buildManifest,
  type Descriptor,
} from './manifest.ts';
import { MEDIA_TYPE, OCI_LAYOUT_VERSION } from './media-types.ts';
import { type TarEntry, tarStream } from './tar-writer.ts';

export interface ArchiveLayer extends LayerBlob {
  /** The history entry's `created_by`: what made the layer. */
  createdBy: string;
  comment?: string;
}

export interface OciArchiveInput {
  /** The archive to write. */
  output: string;
  /** `registry/name:tag`. */
  reference: string;
  /** Seconds since the epoch: the config's `created` and every tar entry's mtime. */
  created: number;
  architecture: string;
  defaults: ContainerDefaults;
  /** Base first. */
  layers: readonly ArchiveLayer[];
  /** The manifest's annotations. */
  annotations?: Record<string, string>;
}

export interface OciArchive {
  file: string;
  reference: string;
  /** The manifest's digest: the image's digest (`name@sha256:…`). */
  digest: Digest;
  configDigest: Digest;
  layers: Array<{ digest: Digest; diffId: Digest; size: number; uncompressedSize: number }>;
  /** Blob bytes of the layers (what a registry stores and a pull downloads). */
  compressedBytes: number;
  /** Bytes of the layers' tars (what the image takes unpacked). */
  uncompressedBytes: number;
}

const FILE_MODE = 0o644;

/** What an archive will hold, worked out without writing it: its digest, and its files. */
export interface OciArchiveLayout {
  archive: OciArchive;
  entries: TarEntry[];
  mtime: number;
}

/**
 * The archive's digests and files, computed from the input alone (no I/O): a caller can tell
 * whether an archive on disk already is this image before writing one.
 */
export function layOutOciArchive(input: OciArchiveInput): OciArchiveLayout {
  const { config, manifest, entries } = layoutEntries(input);
  const archive: OciArchive = {
    file: input.output,
    reference: input.reference,
    digest: manifest.digest,
    configDigest: config.digest,
    layers: input.layers.map(({ digest, diffId, size, uncompressedSize }) => ({
      digest,
      diffId,
      size,
      uncompressedSize,
    })),
    compressedBytes: input.layers.reduce((sum, layer) => sum + layer.size, 0),
    uncompressedBytes: input.layers.reduce((sum, layer) => sum + layer.uncompressedSize, 0),
  };
  return { archive, entries, mtime: input.created };
}

/** Writes a laid-out archive to its file. */
export async function writeOciArchiveLayout(layout: OciArchiveLayout): Promise<OciArchive> {
  await writeTarAtomically(layout.entries, layout.archive.file, layout.mtime);
  return layout.archive;
}

export function writeOciArchive(input: OciArchiveInput): Promise<OciArchive> {
  return writeOciArchiveLayout(layOutOciArchive(input));
}

type Blob = ReturnType<typeof jsonBlob>;

/** The config and manifest blobs, and every file of the layout: documents first, then blobs. */
function layoutEntries(input: OciArchiveInput): {
  config: Blob;
  manifest: Blob;
  entries: TarEntry[];
} {
  const config = jsonBlob(
    buildImageConfig({
      created: input.created,
      architecture: input.architecture,
      defaults: input.defaults,
      layers: input.layers.map((layer) => ({
        diffId: layer.diffId,
        createdBy: layer.createdBy,
        ...(layer.comment ? { comment: layer.comment } : {}),
      })),
    }),
  );
  const layers: Descriptor[] = input.layers.map((layer) => ({
    mediaType: MEDIA_TYPE.layerGzip,
    digest: layer.digest,
    size: layer.size,
  }));
  const manifest = jsonBlob(
    buildManifest(
      { mediaType: MEDIA_TYPE.config, digest: config.digest, size: config.size },
      layers,
      input.annotations,
    ),
  );
  const index = buildIndex(
    { mediaType: MEDIA_TYPE.manifest, digest: manifest.digest, size: manifest.size },
    input.reference,
    { architecture: input.architecture, os: 'linux' },
  );
  const docker = buildDockerManifest(
    config.digest,
    input.layers.map((layer) => layer.digest),
    input.reference,
  );
  const file = (path: string, source: string | Uint8Array): TarEntry => ({
    type: 'file',
    path,
    mode: FILE_MODE,
    source,
  });
  // A layer given twice (the same content in two places) is one blob.
  const blobs = new Map<Digest, TarEntry>([
    [config.digest, file(blobPath(config.digest), config.bytes)],
    [manifest.digest, file(blobPath(manifest.digest), manifest.bytes)],
    ...input.layers.map((layer): [Digest, TarEntry] => [
      layer.digest,
      file(blobPath(layer.digest), layer.file),
    ]),
  ]);
  const entries = [
    file('oci-layout', jsonBlob({ imageLayoutVersion: OCI_LAYOUT_VERSION }).bytes),
    file('index.json', jsonBlob(index).bytes),
    file('manifest.json', jsonBlob(docker).bytes),
    ...blobs.values(),
  ];
  return { config, manifest, entries };
}

/** Written under a temporary name and renamed: a reader never sees half an archive. */
async function writeTarAtomically(
  entries: TarEntry[],
  output: string,
  mtime: number,
): Promise<void> {
  const partial = `${output}.partial`;
  try {
    await pipeline(Readable.from(tarStream(entries, { mtime })), createWriteStream(partial));
    await rename(partial, output);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
}

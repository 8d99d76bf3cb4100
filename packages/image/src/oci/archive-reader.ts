// Reads an OCI archive (an image layout in a tar, as archive-writer.ts writes and
// `skopeo copy … oci-archive:` does): index.json → manifest → config and layers, each blob
// located by offset inside the tar so a runtime can stream it without unpacking the archive.
// Separate from the writer: a runtime needs only this half.
import { createReadStream, type ReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { type Digest, digestingStream } from './digest.ts';
import type { ImageConfig } from './image-config.ts';
import {
  blobPath,
  type Descriptor,
  type DockerManifestEntry,
  type ImageIndex,
  type ImageManifest,
} from './manifest.ts';
import { ANNOTATION, MEDIA_TYPE, OCI_LAYOUT_VERSION } from './media-types.ts';
import { readTarMembers, type TarMember } from './tar-reader.ts';

/** A blob inside the archive file. */
export interface ArchiveBlob {
  digest: Digest;
  /** Byte offset of the blob's first byte in the archive. */
  offset: number;
  size: number;
}

export interface ArchiveLayerBlob extends ArchiveBlob {
  mediaType: string;
  /** The config's diff_id for this layer (sha256 of the uncompressed tar). */
  diffId: Digest;
}

export interface OciArchiveContents {
  file: string;
  index: ImageIndex;
  /** index.json's entry for the image read. */
  manifestDescriptor: Descriptor;
  manifest: ImageManifest;
  config: ImageConfig;
  configBlob: ArchiveBlob;
  /** Base first, as the manifest lists them. */
  layers: ArchiveLayerBlob[];
  /** The reference index.json names the image by (containerd's annotation, else ref.name). */
  reference: string | undefined;
  /** `docker save`'s manifest.json, when the archive carries one. */
  dockerManifest: DockerManifestEntry[] | undefined;
}

export interface ReadOciArchiveOptions {
  /** Which image of a multi-image index: its `io.containerd.image.name` or ref.name. */
  reference?: string;
}

export async function readOciArchive(
  file: string,
  options: ReadOciArchiveOptions = {},
): Promise<OciArchiveContents> {
  const archive = await openArchiveFiles(file);
  try {
    const layout = await archive.json<{ imageLayoutVersion?: string }>(
      'oci-layout',
      'the layout marker',
    );
    if (layout.imageLayoutVersion !== OCI_LAYOUT_VERSION)
      throw new Error(`${file}: unsupported image layout version ${layout.imageLayoutVersion}`);
    const index = await archive.json<ImageIndex>('index.json', 'the image index');
    const manifestDescriptor = pickManifest(index, options.reference, file);
    const manifestBlob = archive.blob(manifestDescriptor, 'manifest');
    const manifest = await archive.json<ImageManifest>(
      blobPath(manifestBlob.digest),
      'the manifest',
    );
    const manifestType = manifest.mediaType ?? manifestDescriptor.mediaType;
    expectMediaType(manifestType, MEDIA_TYPE.manifest, 'manifest', file);
    expectMediaType(manifest.config.mediaType, MEDIA_TYPE.config, 'config', file);
    const configBlob = archive.blob(manifest.config, 'config');
    const config = await archive.json<ImageConfig>(blobPath(configBlob.digest), 'the config');
    if (config.rootfs.diff_ids.length !== manifest.layers.length)
      throw new Error(
        `${file}: ${manifest.layers.length} layers but ${config.rootfs.diff_ids.length} diff_ids`,
      );
    const layers = manifest.layers.map((layer, i) => ({
      ...archive.blob(layer, `layer ${i}`),
      mediaType: layer.mediaType,
      diffId: config.rootfs.diff_ids[i]!,
    }));
    const dockerManifest = archive.has('manifest.json')
      ? await archive.json<DockerManifestEntry[]>('manifest.json', "docker's manifest")
      : undefined;
    const annotations = manifestDescriptor.annotations ?? {};
    const reference =
      annotations[ANNOTATION.containerdImageName] ?? annotations[ANNOTATION.refName];
    return {
      file,
      index,
      manifestDescriptor,
      manifest,
      config,
      configBlob,
      layers,
      reference,
      dockerManifest,
    };
  } finally {
    await archive.close();
  }
}

interface ArchiveFiles {
  has(path: string): boolean;
  /** A JSON file of the layout, parsed; `what` names it in errors. */
  json<T>(path: string, what: string): Promise<T>;
  /** Where the blob a descriptor points at is, checked to exist with the descriptor's size. */
  blob(descriptor: Descriptor, what: string): ArchiveBlob;
  close(): Promise<void>;
}

/** The archive's members by path (headers read once), and reads of the small JSON ones. */
async function openArchiveFiles(file: string): Promise<ArchiveFiles> {
  const members = new Map<string, TarMember>();
  for (const member of await readTarMembers(file))
    members.set(member.path.replace(/^\.\//, ''), member);
  const handle = await open(file, 'r');
  return {
    has: (path) => members.has(path),
    async json<T>(path: string, what: string): Promise<T> {
      const member = members.get(path);
      if (!member) throw new Error(`${file} is not an OCI archive: it has no ${path} (${what})`);
      const data = Buffer.alloc(member.size);
      await handle.read(data, 0, member.size, member.offset);
      try {
        return JSON.parse(data.toString('utf8')) as T;
      } catch (error) {
        throw new Error(`${file}: ${path} is not valid JSON`, { cause: error });
      }
    },
    blob(descriptor, what) {
      const path = blobPath(descriptor.digest);
      const member = members.get(path);
      if (!member)
        throw new Error(`${file}: the ${what} ${descriptor.digest} is missing (${path})`);
      if (member.size !== descriptor.size)
        throw new Error(
          `${file}: the ${what} ${descriptor.digest} has ${member.size} bytes, its descriptor says ${descriptor.size}`,
        );
      return { digest: descriptor.digest, offset: member.offset, size: member.size };
    },
    close: () => handle.close(),
  };
}

function pickManifest(index: ImageIndex, reference: string | undefined, file: string): Descriptor {
  const manifests = index.manifests ?? [];
  if (reference === undefined) {
    if (manifests.length !== 1)
      throw new Error(`${file} holds ${manifests.length} images: say which (a reference)`);
    return manifests[0]!;
  }
  const found = manifests.find((m) =>
    [ANNOTATION.containerdImageName, ANNOTATION.refName].some(
      (key) => m.annotations?.[key] === reference,
    ),
  );
  if (!found) throw new Error(`${file} holds no image named ${reference}`);
  return found;
}

function expectMediaType(
  actual: string | undefined,
  expected: string,
  what: string,
  file: string,
): void {
  if (actual !== expected)
    throw new Error(`${file}: the ${what}'s media type is ${actual}, not ${expected}`);
}

/** The blob's bytes as a stream, read from its place in the archive. */
export function openBlob(file: string, blob: ArchiveBlob): ReadStream {
  return createReadStream(file, { start: blob.offset, end: blob.offset + blob.size - 1 });
}

/**
 * Hashes the blob as stored (and, for a gzip'd layer, as uncompressed) and fails when either
 * differs from what the manifest and config say.
 */
export async function verifyBlob(
  file: string,
  blob: ArchiveBlob | ArchiveLayerBlob,
): Promise<void> {
  const stored = digestingStream();
  const stages: NodeJS.ReadWriteStream[] = [stored.stream];
  const uncompressed = 'diffId' in blob ? digestingStream() : undefined;
  if (uncompressed) stages.push(createGunzip(), uncompressed.stream);
  const sink = async (source: AsyncIterable<unknown>) => {
    for await (const _ of source);
  };
  await pipeline(openBlob(file, blob), ...(stages as [NodeJS.ReadWriteStream]), sink);
  if (stored.result().digest !== blob.digest)
    throw new Error(
      `${file}: blob ${blob.digest} does not match its content (${stored.result().digest})`,
    );
  if (uncompressed && 'diffId' in blob && uncompressed.result().digest !== blob.diffId)
    throw new Error(
      `${file}: layer ${blob.digest} uncompresses to ${uncompressed.result().digest}, not its diff_id ${blob.diffId}`,
    );
}

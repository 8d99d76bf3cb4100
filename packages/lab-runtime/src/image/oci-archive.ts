import { createHash } from 'node:crypto';
import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import { formatImageReference, parseImageReference } from './image-reference.ts';
import type { ImageConfig, ImageManifest, LayerCompression } from './oci-manifest.ts';
import {
  isIndexType,
  isManifestType,
  ManifestError,
  MEDIA_TYPES,
  parseDockerSaveManifest,
  parseImageConfig,
  parseIndex,
  parseJson,
  parseManifest,
} from './oci-manifest.ts';
import { createTarScanner, TarFormatError } from './tar-scanner.ts';

/** A layer as it sits in the archive: where its blob is, how to undo its compression. */
export interface ArchiveLayer {
  digest: string;
  size: number;
  compression: LayerCompression;
  diffId: string;
  offset: number;
}

/** One image an archive carries, checked against its digests, ready to unpack. */
export interface ArchiveImage {
  archive: string;
  /** Normalized references (`ghcr.io/loom-net/loom:0.1.0`); may be empty. */
  names: string[];
  manifestDigest: string;
  /** The config's digest: the image id, as containerd reports it. */
  id: string;
  config: ImageConfig;
  layers: ArchiveLayer[];
  /** OCI ChainID of the whole layer stack: the key of its unpacked tree. */
  chainId: string;
  /** Bytes of the layers as stored (compressed), as containerd reports an image's size. */
  size: number;
}

export class ImageArchiveError extends Error {}

interface Member {
  offset: number;
  size: number;
  sha256: string;
}

const BLOB = /^blobs\/sha256\/([0-9a-f]{64})$/;
const NAME_ANNOTATION = 'io.containerd.image.name';
const REF_ANNOTATION = 'org.opencontainers.image.ref.name';

/** The archive's regular files, each hashed as it streams by (one read of the archive). */
async function indexMembers(path: string): Promise<Map<string, Member>> {
  const members = new Map<string, Member>();
  const scanner = createTarScanner((entry) => {
    if (entry.type !== 'file') return undefined;
    const hash = createHash('sha256');
    const member = { offset: entry.offset, size: entry.size, sha256: '' };
    members.set(entry.name, member);
    if (entry.size === 0) member.sha256 = hash.digest('hex');
    let seen = 0;
    return (chunk) => {
      hash.update(chunk);
      seen += chunk.length;
      if (seen === entry.size) member.sha256 = hash.digest('hex');
    };
  });
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    scanner.write(chunk as Buffer);
  }
  scanner.end();
  return members;
}

function readMember(path: string, member: Member): Buffer {
  const buffer = Buffer.alloc(member.size);
  const fd = openSync(path, 'r');
  try {
    let done = 0;
    while (done < member.size) {
      const n = readSync(fd, buffer, done, member.size - done, member.offset + done);
      if (n === 0) break;
      done += n;
    }
  } finally {
    closeSync(fd);
  }
  return buffer;
}

/** ChainID(L0) = DiffID(L0); ChainID(Ln) = sha256(ChainID(Ln-1) + " " + DiffID(Ln)). */
export function chainIdOf(diffIds: readonly string[]): string {
  let chain = '';
  for (const diffId of diffIds) {
    chain =
      chain === ''
        ? diffId
        : `sha256:${createHash('sha256').update(`${chain} ${diffId}`).digest('hex')}`;
  }
  return chain;
}

function goArch(): string {
  return (
    { x64: 'amd64', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x' }[
      process.arch as string
    ] ?? process.arch
  );
}

/** The archive's blobs by digest, each checked against its descriptor's size. */
interface Blobs {
  path: string;
  member(digest: string, size: number | undefined, what: string): Member;
  json(digest: string, size: number | undefined, what: string): Record<string, unknown>;
}

function blobsOf(path: string, members: Map<string, Member>): Blobs {
  const member = (digest: string, size: number | undefined, what: string): Member => {
    const found = members.get(`blobs/sha256/${digest.slice('sha256:'.length)}`);
    if (found === undefined) throw new ManifestError(`${what} blob ${digest} is missing`);
    if (size !== undefined && found.size !== size) {
      throw new ManifestError(
        `${what} blob ${digest} has ${found.size} bytes, its descriptor says ${size}`,
      );
    }
    return found;
  };
  const json = (digest: string, size: number | undefined, what: string) =>
    parseJson(readMember(path, member(digest, size, what)).toString('utf8'), `${what} ${digest}`);
  return { path, member, json };
}

function verifyBlobs(members: Map<string, Member>): void {
  for (const [name, member] of members) {
    const hex = BLOB.exec(name)?.[1];
    if (hex !== undefined && member.sha256 !== hex) {
      throw new ManifestError(
        `blob ${name} does not match its digest (its content has sha256 ${member.sha256})`,
      );
    }
  }
}

function namesOf(annotations: Record<string, string>): string[] {
  const names: string[] = [];
  const full = annotations[NAME_ANNOTATION];
  const ref = annotations[REF_ANNOTATION];
  if (full !== undefined) names.push(full);
  // A ref.name with a repository is a whole reference; a bare one is only a tag (OCI layout).
  if (ref !== undefined && /[/:@]/.test(ref)) names.push(ref);
  else if (ref !== undefined && full !== undefined) {
    names.push(`${parseImageReference(full).repository}:${ref}`);
  }
  return names;
}

function normalizeNames(names: string[]): string[] {
  const normalized = names.flatMap((name) => {
    try {
      return [formatImageReference(parseImageReference(name))];
    } catch {
      return [];
    }
  });
  return [...new Set(normalized)];
}

function pickManifest(
  blobs: Blobs,
  descriptor: { mediaType: string; digest: string; size: number },
  what: string,
) {
  let current = descriptor;
  for (let depth = 0; isIndexType(current.mediaType); depth++) {
    if (depth > 4) throw new ManifestError(`${what}: indexes nested too deep`);
    const nested = parseIndex(
      blobs.json(current.digest, current.size, what),
      `index ${current.digest}`,
    );
    const linux = nested.filter((d) => d.platform?.os === 'linux');
    const chosen =
      linux.find((d) => d.platform?.architecture === goArch()) ??
      (linux.length === 0 ? nested[0] : undefined);
    if (chosen === undefined) {
      throw new ManifestError(
        `${what}: index ${current.digest} has no image for linux/${goArch()}`,
      );
    }
    current = chosen;
  }
  if (!isManifestType(current.mediaType)) {
    throw new ManifestError(
      `${what}: manifest ${current.digest} has unsupported media type ${current.mediaType}`,
    );
  }
  return current;
}

function buildImage(
  blobs: Blobs,
  manifestDigest: string,
  manifest: ImageManifest,
  names: string[],
  what: string,
): ArchiveImage {
  const configJson = blobs.json(manifest.config.digest, manifest.config.size, `${what} config`);
  const config = parseImageConfig(configJson, `${what} config ${manifest.config.digest}`);
  if (config.diffIds.length !== manifest.layers.length) {
    throw new ManifestError(
      `${what}: the manifest has ${manifest.layers.length} layers, the config ${config.diffIds.length} diff_ids`,
    );
  }
  const layers = manifest.layers.map((layer, i) => {
    const member = blobs.member(layer.digest, layer.size, `${what} layer ${i}`);
    return {
      digest: layer.digest,
      size: layer.size,
      compression: layer.compression,
      diffId: config.diffIds[i]!,
      offset: member.offset,
    };
  });
  return {
    archive: blobs.path,
    names: normalizeNames(names),
    manifestDigest,
    id: manifest.config.digest,
    config,
    layers,
    chainId: chainIdOf(config.diffIds),
    size: layers.reduce((sum, layer) => sum + layer.size, 0),
  };
}

/** Docker's RepoTags for the image whose config is this blob (manifest.json beside index.json). */
function dockerTags(path: string, members: Map<string, Member>, configDigest: string): string[] {
  const file = members.get('manifest.json');
  if (file === undefined) return [];
  const entries = parseDockerSaveManifest(readMember(path, file).toString('utf8'));
  const hex = configDigest.slice('sha256:'.length);
  return entries.filter((e) => posix.basename(e.config).startsWith(hex)).flatMap((e) => e.repoTags);
}

function ociImages(path: string, members: Map<string, Member>): ArchiveImage[] {
  const blobs = blobsOf(path, members);
  const index = parseIndex(
    parseJson(readMember(path, members.get('index.json')!).toString('utf8'), 'index.json'),
    'index.json',
  );
  return index.map((descriptor, i) => {
    const what = `index.json manifests[${i}]`;
    const chosen = pickManifest(blobs, descriptor, what);
    const manifest = parseManifest(
      blobs.json(chosen.digest, chosen.size, what),
      `manifest ${chosen.digest}`,
    );
    const names = [
      ...namesOf(descriptor.annotations),
      ...dockerTags(path, members, manifest.config.digest),
    ];
    return buildImage(blobs, chosen.digest, manifest, names, what);
  });
}

// `docker save`: manifest.json names a config file and layer files (older saves: `<id>/layer.tar`,
// uncompressed, not content-addressed): give each member the digest of its content instead.
function dockerSaveImages(path: string, members: Map<string, Member>): ArchiveImage[] {
  const entries = parseDockerSaveManifest(
    readMember(path, members.get('manifest.json')!).toString('utf8'),
  );
  const byName = (name: string, what: string) => {
    const member = members.get(posix.normalize(name));
    if (member === undefined) throw new ManifestError(`manifest.json: ${what} ${name} is missing`);
    return member;
  };
  return entries.map((entry, i) => {
    const what = `manifest.json[${i}]`;
    const configMember = byName(entry.config, 'config');
    const layers = entry.layers.map((layer) => {
      const member = byName(layer, 'layer');
      const gzip = readMember(path, { ...member, size: Math.min(2, member.size) });
      return {
        mediaType:
          gzip[0] === 0x1f && gzip[1] === 0x8b
            ? 'application/vnd.docker.image.rootfs.diff.tar.gzip'
            : 'application/vnd.docker.image.rootfs.diff.tar',
        digest: `sha256:${member.sha256}`,
        size: member.size,
      };
    });
    const manifestJson = {
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.dockerManifest,
      config: {
        mediaType: MEDIA_TYPES.dockerConfig,
        digest: `sha256:${configMember.sha256}`,
        size: configMember.size,
      },
      layers,
    };
    const manifest = parseManifest(manifestJson, what);
    const manifestDigest = `sha256:${createHash('sha256').update(JSON.stringify(manifestJson)).digest('hex')}`;
    // Reach the config and layers through their content digests, wherever they sit.
    const aliases = new Map(members);
    aliases.set(`blobs/sha256/${configMember.sha256}`, configMember);
    for (const name of entry.layers) {
      const member = byName(name, 'layer');
      aliases.set(`blobs/sha256/${member.sha256}`, member);
    }
    return buildImage(blobsOf(path, aliases), manifestDigest, manifest, entry.repoTags, what);
  });
}

/**
 * Reads an image archive (an OCI image layout in a tar, or a `docker save` tar): hashes every
 * member once, checks every blob against its digest and every descriptor against its blob,
 * and returns the images with their layers' places in the archive. Nothing is unpacked.
 */
export async function readImageArchive(path: string): Promise<ArchiveImage[]> {
  try {
    const members = await indexMembers(path);
    verifyBlobs(members);
    if (members.has('index.json')) return ociImages(path, members);
    if (members.has('manifest.json')) return dockerSaveImages(path, members);
    throw new ManifestError(
      'it has neither index.json (OCI image layout) nor manifest.json (docker save)',
    );
  } catch (error) {
    if (error instanceof ManifestError || error instanceof TarFormatError) {
      throw new ImageArchiveError(`image archive ${path}: ${error.message}`, { cause: error });
    }
    const why = error instanceof Error ? error.message : String(error);
    throw new ImageArchiveError(`cannot read image archive ${path}: ${why}`, { cause: error });
  }
}

/** The compressed bytes of one layer, straight from the archive. */
export function openLayer(image: ArchiveImage, layer: ArchiveLayer): Readable {
  return createReadStream(image.archive, {
    start: layer.offset,
    end: layer.offset + layer.size - 1,
    highWaterMark: 1 << 20,
  });
}

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/**
 * Writes small image archives for the tests, the way an image builder does: each layer a tar
 * of a directory (GNU tar, numeric owners, fixed mtime), gzip'd, named by its sha256, plus the
 * config, manifest and index JSON. Tests build layers with real files (modes, symlinks,
 * whiteout markers) and may break the layout before it is tarred.
 */
export interface TestLayer {
  /** Fills the layer's directory. */
  build(dir: string): void;
  mediaType?: string;
  /** The names to tar, in order (default: every top-level name, recursively). */
  members?: string[];
  /** The tar format (default gnu: `L` long names; pax: `x` headers). */
  format?: 'gnu' | 'pax' | 'ustar';
  /** gzip (default) or none (an uncompressed `.tar` layer). */
  compression?: 'gzip' | 'none';
}

export interface TestImage {
  layers: TestLayer[];
  /** `io.containerd.image.name` on index.json's descriptor. */
  name?: string;
  /** `org.opencontainers.image.ref.name`. */
  refName?: string;
  /** Also write a docker-save `manifest.json` with these RepoTags. */
  dockerRepoTags?: string[];
  config?: {
    Entrypoint?: string[];
    Cmd?: string[];
    Env?: string[];
    WorkingDir?: string;
    User?: string;
    StopSignal?: string;
  };
}

export interface WrittenImage {
  manifestDigest: string;
  configDigest: string;
  layers: { digest: string; diffId: string; size: number }[];
}

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

export function tarDirectory(dir: string, members?: string[], format = 'gnu'): Buffer {
  const names = members ?? readdirSync(dir).sort();
  const flags = [
    '--numeric-owner',
    '--sort=name',
    '--mtime=@0',
    `--format=${format}`,
    '--no-recursion',
  ];
  const recursion = members === undefined ? ['--recursion'] : [];
  return execFileSync('tar', ['-C', dir, ...flags, ...recursion, '-cf', '-', ...names], {
    maxBuffer: 1 << 30,
  });
}

function writeBlob(layout: string, data: Buffer | string): { digest: string; size: number } {
  const hex = sha256(data);
  writeFileSync(join(layout, 'blobs', 'sha256', hex), data);
  return { digest: `sha256:${hex}`, size: Buffer.byteLength(data) };
}

/** Writes an OCI image layout into `layout` (a directory). */
export function writeOciLayout(layout: string, image: TestImage): WrittenImage {
  mkdirSync(join(layout, 'blobs', 'sha256'), { recursive: true });
  const layers = image.layers.map((layer) => {
    const dir = mkdtempSync(join(tmpdir(), 'loom-layer-'));
    try {
      layer.build(dir);
      const tar = tarDirectory(dir, layer.members, layer.format);
      const data = layer.compression === 'none' ? tar : gzipSync(tar);
      const blob = writeBlob(layout, data);
      const mediaType =
        layer.mediaType ??
        (layer.compression === 'none'
          ? 'application/vnd.oci.image.layer.v1.tar'
          : 'application/vnd.oci.image.layer.v1.tar+gzip');
      return { ...blob, diffId: `sha256:${sha256(tar)}`, mediaType };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  const config = JSON.stringify({
    architecture: 'amd64',
    os: 'linux',
    config: image.config ?? {},
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
  });
  const configBlob = writeBlob(layout, config);
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...configBlob },
    layers: layers.map(({ mediaType, digest, size }) => ({ mediaType, digest, size })),
  });
  const manifestBlob = writeBlob(layout, manifest);
  const annotations: Record<string, string> = {};
  if (image.name !== undefined) annotations['io.containerd.image.name'] = image.name;
  if (image.refName !== undefined) annotations['org.opencontainers.image.ref.name'] = image.refName;
  const index = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [
      { mediaType: 'application/vnd.oci.image.manifest.v1+json', ...manifestBlob, annotations },
    ],
  };
  writeFileSync(join(layout, 'index.json'), JSON.stringify(index));
  writeFileSync(join(layout, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  if (image.dockerRepoTags !== undefined) {
    const entry = {
      Config: `blobs/sha256/${configBlob.digest.slice(7)}`,
      RepoTags: image.dockerRepoTags,
      Layers: layers.map((l) => `blobs/sha256/${l.digest.slice(7)}`),
    };
    writeFileSync(join(layout, 'manifest.json'), JSON.stringify([entry]));
  }
  return {
    manifestDigest: manifestBlob.digest,
    configDigest: configBlob.digest,
    layers: layers.map(({ digest, diffId, size }) => ({ digest, diffId, size })),
  };
}

/** Tars a layout directory into `archive`. */
export function tarLayout(layout: string, archive: string): void {
  writeFileSync(archive, tarDirectory(layout));
}

/** An OCI archive of `image` at `archive`. */
export function writeOciArchive(archive: string, image: TestImage): WrittenImage {
  const layout = mkdtempSync(join(tmpdir(), 'loom-layout-'));
  try {
    const written = writeOciLayout(layout, image);
    tarLayout(layout, archive);
    return written;
  } finally {
    rmSync(layout, { recursive: true, force: true });
  }
}

/** A `docker save` archive (legacy layout: `<n>/layer.tar`, `<hex>.json`, manifest.json). */
export function writeDockerSaveArchive(archive: string, image: TestImage): WrittenImage {
  const root = mkdtempSync(join(tmpdir(), 'loom-save-'));
  try {
    const layers = image.layers.map((layer, i) => {
      const dir = mkdtempSync(join(tmpdir(), 'loom-layer-'));
      try {
        layer.build(dir);
        const tar = tarDirectory(dir);
        mkdirSync(join(root, `layer${i}`));
        writeFileSync(join(root, `layer${i}`, 'layer.tar'), tar);
        return {
          digest: `sha256:${sha256(tar)}`,
          diffId: `sha256:${sha256(tar)}`,
          size: tar.length,
        };
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
    const config = JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: image.config ?? {},
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
    });
    const configHex = sha256(config);
    writeFileSync(join(root, `${configHex}.json`), config);
    const manifest = [
      {
        Config: `${configHex}.json`,
        RepoTags: image.dockerRepoTags ?? [],
        Layers: layers.map((_, i) => `layer${i}/layer.tar`),
      },
    ];
    writeFileSync(join(root, 'manifest.json'), JSON.stringify(manifest));
    tarLayout(root, archive);
    return { manifestDigest: '', configDigest: `sha256:${configHex}`, layers };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

export function readText(path: string): string {
  return readFileSync(path, 'utf8');
}

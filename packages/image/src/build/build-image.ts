// `npm run image`: the Debian root filesystem (cached) + the Loom layer, written as one OCI
// archive at dist/image/loom.oci.tar, described by dist/image/loom.json.
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@loom-net/core/daemon';
import { type OciArchive, writeOciArchive } from '../oci/archive-writer.ts';
import { ANNOTATION } from '../oci/media-types.ts';
import { ociArchitecture } from '../oci/platform.ts';
import { aptMirror, releaseDate } from './apt-mirror.ts';
import { type Entrypoint, IMAGE_PACKAGES, packageEntrypoints } from './bundles.ts';
import { IMAGE_DEFAULTS, imageReference } from './image-defaults.ts';
import { buildLoomLayer, type LoomLayer } from './loom-layer.ts';
import { newestCachedRootfs, ROOTFS_SUITE, type RootfsLayer, rootfsLayer } from './rootfs.ts';
import { sourceDateEpoch } from './source-date.ts';

export interface ImageBuildOptions {
  /** The repository's root (holding packages/ and node_modules/). */
  repoRoot: string;
  /** Default: <repoRoot>/dist/image. */
  outputDir?: string;
  /** Default: the Debian mirror of this machine's apt sources. */
  mirror?: string;
  /** Use the newest cached root filesystem without asking the mirror for its state. */
  offline?: boolean;
  /** Root filesystem cache; default <loom cache>/image. */
  cacheDir?: string;
  /** Default: <repoRoot>/node_modules/node/bin/node (the pinned node@24). */
  node?: string;
  env?: NodeJS.ProcessEnv;
  onProgress?: (line: string) => void;
}

/** dist/image/loom.json: what the lab, `loom install` and kind read about the archive. */
export interface ImageDescription {
  reference: string;
  digest: string;
  configDigest: string;
  archive: string;
  layers: Array<{ digest: string; diffId: string; size: number }>;
  compressedBytes: number;
  uncompressedBytes: number;
}

export interface ImageBuild {
  description: ImageDescription;
  archive: OciArchive;
  rootfs: RootfsLayer;
  loom: LoomLayer;
}

export async function buildImage(options: ImageBuildOptions): Promise<ImageBuild> {
  const env = options.env ?? process.env;
  const progress = options.onProgress ?? (() => {});
  const outputDir = options.outputDir ?? join(options.repoRoot, 'dist', 'image');
  const workDir = join(outputDir, '.work');
  const architecture = ociArchitecture();
  const created = sourceDateEpoch(options.repoRoot, env);
  const reference = imageReference(options.repoRoot);
  const entrypoints = imageEntrypoints(options.repoRoot);
  await rm(workDir, { recursive: true, force: true });
  await mkdir(workDir, { recursive: true });
  try {
    const rootfs = await cachedOrBuiltRootfs(options, architecture, progress);
    progress(`bundling ${entrypoints.map((e) => e.name).join(', ')}`);
    const loom = await buildLoomLayer({
      entrypoints,
      node: options.node ?? join(options.repoRoot, 'node_modules', 'node', 'bin', 'node'),
      mtime: created,
      workDir,
    });
    const archive = await writeOciArchive({
      output: join(outputDir, 'loom.oci.tar'),
      reference,
      created,
      architecture,
      defaults: IMAGE_DEFAULTS,
      annotations: { [ANNOTATION.version]: reference.split(':').at(-1)! },
      layers: [
        { ...rootfs, comment: 'Debian root filesystem' },
        {
          ...loom,
          createdBy: `loom image build: node ${loom.nodeVersion} + ${loom.bundles.map((b) => b.path).join(' ')}`,
          comment: 'Node 24 and the Loom bundles',
        },
      ],
    });
    const description = describe(archive);
    await writeFileAtomic(
      join(outputDir, 'loom.json'),
      `${JSON.stringify(description, null, 2)}\n`,
    );
    return { description, archive, rootfs, loom };
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

/** Every bin of the shipped packages, failing on two packages claiming one name. */
export function imageEntrypoints(repoRoot: string): Entrypoint[] {
  const all = IMAGE_PACKAGES.flatMap((pkg) => packageEntrypoints(join(repoRoot, 'packages', pkg)));
  const seen = new Map<string, string>();
  for (const entrypoint of all) {
    const other = seen.get(entrypoint.name);
    if (other)
      throw new Error(
        `bin ${entrypoint.name} is declared by both ${other} and ${entrypoint.packageName}`,
      );
    seen.set(entrypoint.name, entrypoint.packageName);
  }
  return all;
}

async function cachedOrBuiltRootfs(
  options: ImageBuildOptions,
  architecture: string,
  progress: (line: string) => void,
): Promise<RootfsLayer> {
  const suite = ROOTFS_SUITE;
  const mirror = options.mirror ?? aptMirror(suite);
  const base = {
    suite,
    mirror,
    architecture,
    onProgress: progress,
    ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}),
  };
  let date: number | undefined;
  if (options.offline) {
    date = newestCachedRootfs(base);
    if (date === undefined)
      throw new Error(
        `--offline: no cached ${suite} root filesystem for ${architecture}; build once with network`,
      );
  } else {
    date = await releaseDate(mirror, suite);
  }
  return rootfsLayer({ ...base, releaseDate: date });
}

function describe(archive: OciArchive): ImageDescription {
  return {
    reference: archive.reference,
    digest: archive.digest,
    configDigest: archive.configDigest,
    archive: archive.file,
    layers: archive.layers.map(({ digest, diffId, size }) => ({ digest, diffId, size })),
    compressedBytes: archive.compressedBytes,
    uncompressedBytes: archive.uncompressedBytes,
  };
}

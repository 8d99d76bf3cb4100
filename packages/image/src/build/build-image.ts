// `npm run image`: the Debian root filesystem (cached), Node (cached) and the Loom bundles,
// three layers written as one OCI archive at dist/image/loom.oci.tar, described by
// dist/image/loom.json.
import { readFileSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@loom-net/core/daemon';
import { readOciArchive } from '../oci/archive-reader.ts';
import {
  layOutOciArchive,
  type OciArchive,
  type OciArchiveLayout,
  writeOciArchiveLayout,
} from '../oci/archive-writer.ts';
import { ANNOTATION } from '../oci/media-types.ts';
import { ociArchitecture } from '../oci/platform.ts';
import { type Entrypoint, IMAGE_PACKAGES, packageEntrypoints } from './bundles.ts';
import { IMAGE_DEFAULTS, imageReference } from './image-defaults.ts';
import { buildLoomLayer, type LoomLayer } from './loom-layer.ts';
import { type NodeLayer, nodeLayer } from './node-layer.ts';
import type { RootfsLayer } from './rootfs.ts';
import { chooseRootfs, type RootfsPolicy } from './rootfs-policy.ts';
import { sourceDateEpoch } from './source-date.ts';

export interface ImageBuildOptions {
  /** The repository's root (holding packages/ and node_modules/). */
  repoRoot: string;
  /** Default: <repoRoot>/dist/image. */
  outputDir?: string;
  /** Default: the Debian mirror of this machine's apt sources. */
  mirror?: string;
  /** Which root filesystem: ask the mirror (`latest`, the default) or take the cache's. */
  rootfs?: RootfsPolicy;
  /** Layer cache (root filesystem, Node); default <loom cache>/image. */
  cacheDir?: string;
  /** Default: <repoRoot>/node_modules/node/bin/node (the pinned node@24). */
  node?: string;
  /**
   * Leave the archive at the output as it is when it already holds this image (the same
   * manifest digest: the same layers, config and reference), instead of writing it again.
   */
  reuseArchive?: boolean;
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
  node: NodeLayer;
  loom: LoomLayer;
  /** False when {@link ImageBuildOptions.reuseArchive} found the archive already written. */
  wroteArchive: boolean;
}

export async function buildImage(options: ImageBuildOptions): Promise<ImageBuild> {
  const env = options.env ?? process.env;
  const progress = options.onProgress ?? (() => {});
  const outputDir = options.outputDir ?? join(options.repoRoot, 'dist', 'image');
  const workDir = join(outputDir, `.work.${process.pid}`);
  const architecture = ociArchitecture();
  const created = sourceDateEpoch(options.repoRoot, env);
  const reference = imageReference(options.repoRoot);
  const entrypoints = imageEntrypoints(options.repoRoot);
  const cache = options.cacheDir ? { cacheDir: options.cacheDir } : {};
  await rm(workDir, { recursive: true, force: true });
  await mkdir(workDir, { recursive: true });
  try {
    progress(`bundling ${entrypoints.map((e) => e.name).join(', ')}`);
    // Independent: mmdebstrap (cold), Node's compression (cold) and esbuild overlap.
    const [rootfs, node, loom] = await allOrFirstError([
      chooseRootfs({
        policy: options.rootfs ?? 'latest',
        architecture,
        onProgress: progress,
        ...(options.mirror ? { mirror: options.mirror } : {}),
        ...cache,
      }),
      nodeLayer({
        node: options.node ?? join(options.repoRoot, 'node_modules', 'node', 'bin', 'node'),
        onProgress: progress,
        ...cache,
      }),
      buildLoomLayer({ entrypoints, mtime: created, workDir }),
    ] as const);
    const layout = layOutOciArchive({
      output: join(outputDir, 'loom.oci.tar'),
      reference,
      created,
      architecture,
      defaults: IMAGE_DEFAULTS,
      annotations: { [ANNOTATION.version]: reference.split(':').at(-1)! },
      layers: [
        { ...rootfs, comment: 'Debian root filesystem' },
        {
          ...node,
          createdBy: `loom image build: ${node.nodeVersion} (sha256 ${node.nodeSha256}) at /usr/local/bin/node`,
          comment: 'Node 24',
        },
        {
          ...loom,
          createdBy: `loom image build: ${loom.bundles.map((b) => b.path).join(' ')}`,
          comment: 'the Loom bundles',
        },
      ],
    });
    const wroteArchive = !(options.reuseArchive && (await archiveHolds(layout)));
    if (wroteArchive) await writeOciArchiveLayout(layout);
    else progress(`${layout.archive.file} already holds ${layout.archive.digest}: kept`);
    const description = describe(layout.archive);
    await writeIfChanged(join(outputDir, 'loom.json'), `${JSON.stringify(description, null, 2)}\n`);
    return { description, archive: layout.archive, rootfs, node, loom, wroteArchive };
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

/**
 * Whether the archive on disk is the laid-out image: its index names the same manifest under
 * the same reference, and every blob is there at its size (the reader refuses a cut archive).
 */
async function archiveHolds(layout: OciArchiveLayout): Promise<boolean> {
  try {
    const read = await readOciArchive(layout.archive.file);
    return (
      read.manifestDescriptor.digest === layout.archive.digest &&
      read.reference === layout.archive.reference
    );
  } catch {
    return false;
  }
}

/** loom.json is rewritten only when it says something else (its mtime then means a change). */
async function writeIfChanged(file: string, text: string): Promise<void> {
  let current: string | undefined;
  try {
    current = readFileSync(file, 'utf8');
  } catch {}
  if (current !== text) await writeFileAtomic(file, text);
}

/**
 * Promise.all that waits for every task before failing: the scratch directory the bundler
 * writes into is removed on failure, so no task may still be running then.
 */
async function allOrFirstError<T extends readonly unknown[]>(
  tasks: { [K in keyof T]: Promise<T[K]> },
): Promise<T> {
  const settled = await Promise.allSettled(tasks);
  const failed = settled.find((result) => result.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
  return settled.map((result) => (result as PromiseFulfilledResult<unknown>).value) as unknown as T;
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

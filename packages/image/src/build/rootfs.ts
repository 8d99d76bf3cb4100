// Layer 1: a Debian root filesystem made by mmdebstrap, gzip'd once and cached outside the
// repository, keyed by everything that decides its bytes (the recipe below, the suite, the
// architecture and the mirror's Release date), so a warm build does not run mmdebstrap.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { findExecutable } from '@loom-net/core/kernel';
import { loomCacheDir } from '@loom-net/lab-runtime/lab-binaries';
import { type LayerBlob, writeLayerFromTarFile } from '../oci/layer.ts';
import { cachedLayer, readCachedLayer } from './layer-cache.ts';

/**
 * What the runner needs besides the Essential set (a shell, coreutils, util-linux's nsenter):
 * ip and bridge, nft, conntrack, sysctl, and the C++ runtime Node links against. Not
 * ca-certificates: Node carries its own CA store and the daemons trust the cluster's CA.
 */
export const ROOTFS_PACKAGES = [
  'iproute2',
  'nftables',
  'conntrack',
  'procps',
  'libstdc++6',
] as const;

export const ROOTFS_SUITE = 'bookworm';

/**
 * mmdebstrap's options besides the packages. merged-usr: the /usr symlinks made by the hook,
 * not by the usrmerge package, which pulls in all of Perl (~50 MB). The excluded paths are
 * documentation, translations and glibc's iconv modules (8 MB; Node converts with ICU): no
 * command in the image reads them. The Essential variant keeps dpkg, so `dpkg -l` in a running
 * container says what is inside.
 */
export const MMDEBSTRAP_OPTIONS: readonly string[] = [
  '--variant=essential',
  '--hook-dir=/usr/share/mmdebstrap/hooks/merged-usr',
  ...['man', 'doc', 'locale', 'info', 'lintian'].map(
    (dir) => `--dpkgopt=path-exclude=/usr/share/${dir}/*`,
  ),
  '--dpkgopt=path-exclude=/usr/lib/*/gconv/*',
  '--dpkgopt=path-include=/usr/share/doc/*/copyright',
  // /dev is the runtime's to mount; device nodes in a layer are refused by rootless unpackers.
  '--skip=output/dev',
];

export interface RootfsRequest {
  suite: string;
  mirror: string;
  /** Debian = OCI architecture name (amd64, arm64). */
  architecture: string;
  /** The mirror's Release date (seconds): the cache key's state part and SOURCE_DATE_EPOCH. */
  releaseDate: number;
  /** `<loom cache>/image` unless given. */
  cacheDir?: string;
  onProgress?: (line: string) => void;
}

export interface RootfsLayer extends LayerBlob {
  /** Whether mmdebstrap ran (false: taken from the cache). */
  built: boolean;
  /** What made it, for the image history. */
  createdBy: string;
}

export function imageCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(loomCacheDir(env), 'image');
}

/** The cache directory of one recipe at one mirror state. */
export function rootfsCacheKey(request: Omit<RootfsRequest, 'mirror' | 'cacheDir'>): string {
  const recipe = JSON.stringify([ROOTFS_PACKAGES, MMDEBSTRAP_OPTIONS, request.architecture]);
  const hash = createHash('sha256').update(recipe).digest('hex').slice(0, 12);
  return `rootfs-${request.suite}-${request.architecture}-${request.releaseDate}-${hash}`;
}

const LAYER_FILE = 'rootfs.tar.gz';

/** The cached root filesystem layer, building it first when the cache has none. */
export async function rootfsLayer(request: RootfsRequest): Promise<RootfsLayer> {
  const dir = join(request.cacheDir ?? imageCacheDir(), rootfsCacheKey(request));
  const createdBy = mmdebstrapCommand(request).join(' ');
  const { layer, built } = await cachedLayer(dir, LAYER_FILE, async (partial) => {
    const tar = join(dir, `rootfs.${process.pid}.tar`);
    try {
      request.onProgress?.(`running ${createdBy}`);
      await runMmdebstrap(request, tar);
      return await writeLayerFromTarFile(tar, partial);
    } finally {
      await rm(tar, { force: true });
    }
  });
  return { ...layer, built, createdBy };
}

/** The newest cached layer of this recipe, for a build without network (`--offline`). */
export function newestCachedRootfs(
  request: Omit<RootfsRequest, 'releaseDate' | 'mirror'>,
): number | undefined {
  const cacheDir = request.cacheDir ?? imageCacheDir();
  const prefix = `rootfs-${request.suite}-${request.architecture}-`;
  const recipe = rootfsCacheKey({ ...request, releaseDate: 0 })
    .split('-')
    .at(-1);
  let names: string[] = [];
  try {
    names = readdirSync(cacheDir);
  } catch {}
  const dates = names
    .filter((name) => name.startsWith(prefix) && name.endsWith(`-${recipe}`))
    .filter((name) => readCachedLayer(join(cacheDir, name)))
    .map((name) => Number(name.slice(prefix.length).split('-')[0]));
  return dates.length > 0 ? Math.max(...dates) : undefined;
}

export function mmdebstrapCommand(request: Omit<RootfsRequest, 'releaseDate'>): string[] {
  return [
    'mmdebstrap',
    ...MMDEBSTRAP_OPTIONS,
    `--architectures=${request.architecture}`,
    `--include=${ROOTFS_PACKAGES.join(',')}`,
    request.suite,
    '<output>.tar',
    request.mirror,
  ];
}

async function runMmdebstrap(request: RootfsRequest, output: string): Promise<void> {
  const path = process.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin';
  const mmdebstrap = findExecutable('mmdebstrap', path.split(':'));
  if (!mmdebstrap)
    throw new Error(
      'cannot build the image root filesystem: mmdebstrap is not on PATH (install the Debian package mmdebstrap; it is listed in .ci/debian-packages.txt)',
    );
  const argv = mmdebstrapCommand(request)
    .slice(1)
    .map((arg) => (arg === '<output>.tar' ? output : arg));
  const stderr: string[] = [];
  const status = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(mmdebstrap, ['--quiet', ...argv], {
      env: { ...process.env, SOURCE_DATE_EPOCH: String(request.releaseDate) },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => stderr.push(chunk));
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (status !== 0) {
    const tail = stderr.join('').trimEnd().split('\n').slice(-15).join('\n');
    throw new Error(
      `mmdebstrap failed (exit ${status}) building the image root filesystem:\n${tail}`,
    );
  }
}

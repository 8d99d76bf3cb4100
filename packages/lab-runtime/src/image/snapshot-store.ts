import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { LayerSource } from './layer-apply.ts';
import { applyLayer } from './layer-apply.ts';

/**
 * Unpacked images: `<dir>/<chain id hex>/`, one flattened tree per layer stack (the image's
 * OCI ChainID), shared by every image and container with that stack. A tree is built in a
 * `.tmp-<chain>-<pid>-…` directory and renamed into place when complete, so its name existing
 * means it is whole; a crash leaves only a `.tmp-…` whose process is gone, which the next start
 * removes. Several runtimes may share one directory (`--image-store`, the lab's nodes): each
 * tree is then unpacked by whichever comes first, and none is ever removed by a runtime, since
 * another one's containers may stand on it.
 */
export interface SnapshotStore {
  readonly dir: string;
  pathOf(chainId: string): string;
  has(chainId: string): boolean;
  /** The tree of `chainId`, built from `layers` (bottom first) unless it exists. */
  ensure(
    chainId: string,
    layers: readonly LayerSource[],
  ): Promise<{ path: string; unpacked: boolean }>;
  /** Deletes the tree; false (and nothing deleted) in a shared store. */
  remove(chainId: string): boolean;
  /** Chain ids of the trees on disk. */
  list(): string[];
}

const hexOf = (chainId: string) => chainId.replace(/^sha256:/, '');

export interface SnapshotStoreOptions {
  /** Where the trees are: `<state>/images/snapshots` unless shared. */
  dir: string;
  /** Shared with other runtimes: trees are added, never removed. */
  shared: boolean;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// `.tmp-<chain 12>-<pid>-<random>`: only a build whose process is gone is abandoned.
function removeAbandoned(dir: string): void {
  for (const name of readdirSync(dir)) {
    const pid = /^\.tmp-[0-9a-f]+-(\d+)-/.exec(name)?.[1];
    if (name.startsWith('.tmp-') && (pid === undefined || !isAlive(Number(pid)))) {
      rmSync(join(dir, name), { recursive: true, force: true });
    }
  }
}

export function defaultSnapshotDir(stateDir: string): string {
  return join(stateDir, 'images', 'snapshots');
}

export function createSnapshotStore(options: SnapshotStoreOptions): SnapshotStore {
  const { dir, shared } = options;
  mkdirSync(dir, { recursive: true });
  removeAbandoned(dir);
  const pathOf = (chainId: string) => join(dir, hexOf(chainId));
  const building = new Map<string, Promise<{ path: string; unpacked: boolean }>>();

  const build = async (chainId: string, layers: readonly LayerSource[]) => {
    const path = pathOf(chainId);
    const random = randomBytes(4).toString('hex');
    const temp = join(dir, `.tmp-${hexOf(chainId).slice(0, 12)}-${process.pid}-${random}`);
    mkdirSync(temp, { mode: 0o755 });
    try {
      for (const [i, layer] of layers.entries()) await applyLayer(temp, layer, i === 0);
      renameSync(temp, path);
    } catch (error) {
      rmSync(temp, { recursive: true, force: true });
      // Another runtime of a shared store finished the same tree first: it is whole.
      if (existsSync(path) && isRenameCollision(error)) return { path, unpacked: false };
      throw error;
    }
    return { path, unpacked: true };
  };

  const ensure = (chainId: string, layers: readonly LayerSource[]) => {
    const path = pathOf(chainId);
    if (existsSync(path)) return Promise.resolve({ path, unpacked: false });
    // Two pulls of one image at once unpack it once.
    let pending = building.get(chainId);
    if (pending === undefined) {
      pending = build(chainId, layers).finally(() => building.delete(chainId));
      building.set(chainId, pending);
    }
    return pending;
  };

  return {
    dir,
    pathOf,
    has: (chainId) => existsSync(pathOf(chainId)),
    ensure,
    remove: (chainId) => {
      if (shared) return false;
      rmSync(pathOf(chainId), { recursive: true, force: true });
      return true;
    },
    list: () =>
      readdirSync(dir)
        .filter((name) => /^[0-9a-f]{64}$/.test(name))
        .map((hex) => `sha256:${hex}`),
  };
}

function isRenameCollision(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOTEMPTY' || code === 'EEXIST';
}

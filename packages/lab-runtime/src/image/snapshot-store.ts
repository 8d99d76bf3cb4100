import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { LayerSource } from './layer-apply.ts';
import { applyLayer } from './layer-apply.ts';

/**
 * Unpacked images: `<state>/images/snapshots/<chain id hex>/`, one flattened tree per layer
 * stack (the image's OCI ChainID), shared by every image and container with that stack.
 * A tree is built in a `.tmp-…` directory and renamed into place when complete, so its name
 * existing means it is whole; a crash leaves only a `.tmp-…` that the next start removes.
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
  remove(chainId: string): void;
  /** Chain ids of the trees on disk. */
  list(): string[];
}

const hexOf = (chainId: string) => chainId.replace(/^sha256:/, '');

export function createSnapshotStore(stateDir: string): SnapshotStore {
  const dir = join(stateDir, 'images', 'snapshots');
  mkdirSync(dir, { recursive: true });
  for (const name of readdirSync(dir)) {
    if (name.startsWith('.tmp-')) rmSync(join(dir, name), { recursive: true, force: true });
  }
  const pathOf = (chainId: string) => join(dir, hexOf(chainId));
  const building = new Map<string, Promise<{ path: string; unpacked: boolean }>>();

  const build = async (chainId: string, layers: readonly LayerSource[]) => {
    const path = pathOf(chainId);
    const temp = join(dir, `.tmp-${hexOf(chainId).slice(0, 12)}-${randomBytes(4).toString('hex')}`);
    mkdirSync(temp, { mode: 0o755 });
    try {
      for (const [i, layer] of layers.entries()) await applyLayer(temp, layer, i === 0);
      renameSync(temp, path);
    } catch (error) {
      rmSync(temp, { recursive: true, force: true });
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
    remove: (chainId) => rmSync(pathOf(chainId), { recursive: true, force: true }),
    list: () =>
      readdirSync(dir)
        .filter((name) => /^[0-9a-f]{64}$/.test(name))
        .map((hex) => `sha256:${hex}`),
  };
}

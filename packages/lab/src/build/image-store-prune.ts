import { readdirSync, readlinkSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Pruning of the lab's shared image store (`<loom cache>/lab-images`, every lab's node runtimes'
 * `--image-store`): one directory per image layer, `<store>/<diff_id hex>/`, whose mtime the
 * runtimes set each time they use the layer (an image loaded or pulled, a container created).
 * Each code change adds a Loom layer (~0.3 MB) and, when Node or the Debian root change, a big
 * one; pruning removes the layers no runtime used for `maxAgeMs` (7 days by default) and that
 * no container stands on (its runtime's lease in the store says so). A layer that a running
 * lab's image still names but that was pruned is unpacked again by that runtime on the
 * kubelet's next pull (its image is reported missing meanwhile), so pruning never breaks a lab,
 * at worst costs it one unpack.
 */

export const IMAGE_STORE_MAX_AGE_MS = 7 * 24 * 3600 * 1000;

const LAYER_NAME = /^[0-9a-f]{64}$/;
const LEASES = 'leases';

export interface ImageStorePruneOptions {
  /** The store: `config.paths.imageStoreDir`. */
  dir: string;
  /** Layers unused for longer are removed (default 7 days). */
  maxAgeMs?: number;
  /** The present time in ms (tests). */
  now?: number;
  /** Names of the layer directories containers stand on (default: the store's leases). */
  inUse?: (dir: string) => ReadonlySet<string>;
}

export interface ImageStorePruneResult {
  /** Diff ids (`sha256:…`) of the removed layers. */
  removed: string[];
  /** Layers kept: used recently or leased. */
  kept: number;
}

/**
 * The layers containers stand on: each runtime leases the layers of a container's root as
 * `<store>/leases/<container id>`, a symlink to the container's `lower/` directory, whose
 * entries link to the layers (`0` → `<store>/<hex>/fs`, …; lab-runtime's snapshot-store.ts).
 * A lease whose container directory is gone (removed, or its lab taken down) holds nothing
 * and is deleted.
 */
export function leasedLayers(dir: string): Set<string> {
  const layers = new Set<string>();
  const leases = join(dir, LEASES);
  let names: string[] = [];
  try {
    names = readdirSync(leases);
  } catch {
    return layers; // No container was ever created on this store.
  }
  const prefix = `${dir.replace(/\/+$/, '')}/`;
  for (const name of names) {
    const lease = join(leases, name);
    let links: string[];
    let lower: string;
    try {
      lower = readlinkSync(lease);
      links = readdirSync(lower);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') rmSync(lease, { force: true });
      continue;
    }
    for (const link of links) {
      try {
        const target = readlinkSync(join(lower, link));
        const layer = target.startsWith(prefix) ? target.slice(prefix.length).split('/')[0]! : '';
        if (LAYER_NAME.test(layer)) layers.add(layer);
      } catch {
        // Not a link: not a layer.
      }
    }
  }
  return layers;
}

function lastUsed(path: string): number | undefined {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}

/** Removes the store's layers unused for `maxAgeMs`, never one a container stands on. */
export function pruneImageStore(options: ImageStorePruneOptions): ImageStorePruneResult {
  const { dir, maxAgeMs = IMAGE_STORE_MAX_AGE_MS, now = Date.now() } = options;
  if (!Number.isFinite(maxAgeMs) || maxAgeMs <= 0) {
    throw new RangeError(`cannot prune image store "${dir}": max age ${maxAgeMs} ms is not > 0`);
  }
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => LAYER_NAME.test(name));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { removed: [], kept: 0 };
    throw error;
  }
  const isOld = (name: string) => {
    const used = lastUsed(join(dir, name));
    return used !== undefined && now - used > maxAgeMs;
  };
  const candidates = names.filter(isOld);
  const leased = candidates.length === 0 ? new Set() : (options.inUse ?? leasedLayers)(dir);
  const removed: string[] = [];
  for (const name of candidates) {
    // Checked again at the last moment: a runtime may have used it since.
    if (leased.has(name) || !isOld(name)) continue;
    // Out of its name first (a runtime never uses a `.tmp-…`, and removes one whose process
    // is gone): a crash half-way leaves no partial layer under a layer's name.
    const doomed = join(dir, `.tmp-${name.slice(0, 12)}-${process.pid}-prune`);
    try {
      renameSync(join(dir, name), doomed);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    rmSync(doomed, { recursive: true, force: true });
    removed.push(`sha256:${name}`);
  }
  return { removed, kept: names.length - removed.length };
}

import { readdirSync, readFileSync, readlinkSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Pruning of the lab's shared image store (`<loom cache>/lab-images`, every lab's node runtimes'
 * `--image-store`): one directory per image layer, `<store>/<diff_id hex>/`, whose mtime the
 * runtimes set each time they use the layer (an image loaded or pulled, a container created).
 * Each code change adds a Loom layer (~0.3 MB) and, when Node or the Debian root change, a big
 * one; pruning removes the layers no runtime used for `maxAgeMs` (7 days by default) and that
 * no mounted overlay stands on. A layer that a running lab's image still names but that was
 * pruned is unpacked again by that runtime on the kubelet's next pull (its image is reported
 * missing meanwhile), so pruning never breaks a lab, at worst costs it one unpack.
 */

export const IMAGE_STORE_MAX_AGE_MS = 7 * 24 * 3600 * 1000;

const LAYER_NAME = /^[0-9a-f]{64}$/;

export interface ImageStorePruneOptions {
  /** The store: `config.paths.imageStoreDir`. */
  dir: string;
  /** Layers unused for longer are removed (default 7 days). */
  maxAgeMs?: number;
  /** The present time in ms (tests). */
  now?: number;
  /** Names of the layer directories that a mounted overlay uses (default: from /proc). */
  inUse?: (dir: string) => ReadonlySet<string>;
}

export interface ImageStorePruneResult {
  /** Diff ids (`sha256:…`) of the removed layers. */
  removed: string[];
  /** Layers kept: used recently or mounted. */
  kept: number;
}

/**
 * The layers of `dir` that overlay mounts in one `/proc/<pid>/mountinfo` use as lower dirs
 * (`… - overlay overlay rw,lowerdir=<dir>/<hex>/fs:…,upperdir=…`).
 */
export function layersInMountinfo(mountinfo: string, dir: string): Set<string> {
  const layers = new Set<string>();
  const prefix = `${dir.replace(/\/+$/, '')}/`;
  for (const line of mountinfo.split('\n')) {
    const [, after] = line.split(' - ');
    const [fstype, , superOptions] = after?.split(' ') ?? [];
    if (fstype !== 'overlay' || superOptions === undefined) continue;
    const lower = /(?:^|,)lowerdir=([^,]*)/.exec(superOptions)?.[1] ?? '';
    // mountinfo escapes spaces, tabs, newlines and backslashes in octal (\040).
    const decoded = lower.replace(/\\([0-7]{3})/g, (_, octal: string) =>
      String.fromCharCode(Number.parseInt(octal, 8)),
    );
    for (const path of decoded.split(':')) {
      if (!path.startsWith(prefix)) continue;
      const name = path.slice(prefix.length).split('/')[0]!;
      if (LAYER_NAME.test(name)) layers.add(name);
    }
  }
  return layers;
}

/**
 * Every overlay of the machine, whichever mount namespace holds it (each container of a lab has
 * its own): one mountinfo read per namespace.
 */
export function layersMountedNow(dir: string): Set<string> {
  const layers = new Set<string>();
  const seen = new Set<string>();
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const namespace = readlinkSync(`/proc/${pid}/ns/mnt`);
      if (seen.has(namespace)) continue;
      seen.add(namespace);
      for (const layer of layersInMountinfo(readFileSync(`/proc/${pid}/mountinfo`, 'utf8'), dir)) {
        layers.add(layer);
      }
    } catch {
      // The process ended meanwhile.
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

/** Removes the store's layers unused for `maxAgeMs`, never one a mounted overlay uses. */
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
  const mounted = candidates.length === 0 ? new Set() : (options.inUse ?? layersMountedNow)(dir);
  const removed: string[] = [];
  for (const name of candidates) {
    // Checked again at the last moment: a runtime may have used it since.
    if (mounted.has(name) || !isOld(name)) continue;
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

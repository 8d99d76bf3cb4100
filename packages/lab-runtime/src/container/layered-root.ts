import type { Stats } from 'node:fs';
import { lstatSync } from 'node:fs';
import { join } from 'node:path';
import { opaqueDirsOf } from '../image/snapshot-store.ts';

/** An entry of a merged root and where it lives on the host. */
export interface LayeredEntry {
  hostPath: string;
  stats: Stats;
}

function lstat(path: string): Stats | undefined {
  try {
    return lstatSync(path, { throwIfNoEntry: false });
  } catch {
    return undefined; // ENOTDIR, ELOOP: not there
  }
}

// overlayfs's whiteout: a character device 0/0.
function isWhiteout(stats: Stats): boolean {
  return stats.isCharacterDevice() && stats.rdev === 0;
}

/**
 * An entry of the root that overlayfs makes of `layers` (unpacked trees, top first), found
 * without mounting it, by overlayfs's own lookup rules: per path component, the topmost layer
 * holding the name wins; a whiteout there means "no such entry"; a directory merges with the
 * same directory of the layers below, down to the first that is opaque or where the name is
 * not a directory. `path` is inside the root (`/etc/passwd`), symlinks are not followed.
 */
export function lookupInLayers(layers: readonly string[], path: string): LayeredEntry | undefined {
  const parts = path.split('/').filter((part) => part !== '' && part !== '.');
  // The layers whose copy of the current directory is part of the merged one, with its path.
  let merged = layers.map((layer) => ({ layer, rel: '' }));
  let found: LayeredEntry | undefined;
  if (parts.length === 0) {
    const top = layers[0];
    const stats = top === undefined ? undefined : lstat(top);
    return top === undefined || stats === undefined ? undefined : { hostPath: top, stats };
  }
  for (const part of parts) {
    if (found !== undefined && !found.stats.isDirectory()) return undefined;
    found = undefined;
    const next: typeof merged = [];
    for (const { layer, rel } of merged) {
      const childRel = rel === '' ? part : `${rel}/${part}`;
      const hostPath = join(layer, childRel);
      const stats = lstat(hostPath);
      if (stats === undefined) continue;
      if (isWhiteout(stats)) break;
      if (found !== undefined && !stats.isDirectory()) break;
      found ??= { hostPath, stats };
      if (!stats.isDirectory()) break;
      next.push({ layer, rel: childRel });
      if (opaqueDirsOf(layer).has(childRel)) break;
    }
    if (found === undefined) return undefined;
    merged = next;
  }
  return found;
}

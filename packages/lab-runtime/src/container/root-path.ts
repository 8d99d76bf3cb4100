import { readlinkSync } from 'node:fs';
import { posix } from 'node:path';
import { lookupInLayers } from './layered-root.ts';

const MAX_LINKS = 40;

/**
 * A path inside a container's root with the root's symlinks followed, never leaving it: an
 * absolute link target starts again at the root, `..` stops there (runc's securejoin does
 * the same for mount destinations). So `/var/run/secrets` in a Debian image, where /var/run
 * is a link to /run, is `/run/secrets`, and a mount never lands on the host's own path.
 * Components that do not exist are kept as they are. The root is an image's layers (top
 * first, read as overlayfs merges them), or one directory.
 */
export function resolveInRoot(root: string | readonly string[], path: string): string {
  const layers = typeof root === 'string' ? [root] : root;
  const pending = posix.normalize(`/${path}`).split('/').filter(Boolean);
  const resolved: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === '.') continue;
    if (part === '..') {
      resolved.pop();
      continue;
    }
    const entry = lookupInLayers(layers, `/${[...resolved, part].join('/')}`);
    if (entry?.stats.isSymbolicLink() && links < MAX_LINKS) {
      links++;
      const target = readlinkSync(entry.hostPath);
      if (target.startsWith('/')) resolved.length = 0;
      pending.unshift(...target.split('/').filter(Boolean));
      continue;
    }
    resolved.push(part);
  }
  return `/${resolved.join('/')}`;
}

/** Where a path of the root (its symlinks followed) lives on the host; undefined: nowhere. */
export function hostPathInRoot(root: string | readonly string[], path: string): string | undefined {
  const layers = typeof root === 'string' ? [root] : root;
  return lookupInLayers(layers, resolveInRoot(layers, path))?.hostPath;
}

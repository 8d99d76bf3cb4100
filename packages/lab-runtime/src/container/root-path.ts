import { lstatSync, readlinkSync } from 'node:fs';
import { join, posix } from 'node:path';

const MAX_LINKS = 40;

/**
 * A path inside a container's root with the root's symlinks followed, never leaving it: an
 * absolute link target starts again at the root, `..` stops there (runc's securejoin does
 * the same for mount destinations). So `/var/run/secrets` in a Debian image, where /var/run
 * is a link to /run, is `/run/secrets`, and a mount never lands on the host's own path.
 * Components that do not exist are kept as they are.
 */
export function resolveInRoot(root: string, path: string): string {
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
    const current = join(root, ...resolved, part);
    let stats: ReturnType<typeof lstatSync>;
    try {
      stats = lstatSync(current, { throwIfNoEntry: false });
    } catch {
      stats = undefined; // ELOOP, ENOTDIR: a path that cannot exist is kept as it is
    }
    if (stats?.isSymbolicLink() && links < MAX_LINKS) {
      links++;
      const target = readlinkSync(current);
      if (target.startsWith('/')) resolved.length = 0;
      pending.unshift(...target.split('/').filter(Boolean));
      continue;
    }
    resolved.push(part);
  }
  return `/${resolved.join('/')}`;
}

import { accessSync, constants, statSync } from 'node:fs';
import { posix } from 'node:path';
import type { RootfsStep } from './container-rootfs.ts';
import { hostPathInRoot } from './root-path.ts';

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const MAX_LINKS = 16;

function within(path: string, prefix: string): string | undefined {
  if (path === prefix) return '';
  if (prefix === '/') return path.slice(1);
  return path.startsWith(`${prefix}/`) ? path.slice(prefix.length + 1) : undefined;
}

// Follows the root's own symlinks (`/bin` → `usr/bin`) component by component.
function followLinks(path: string, links: Map<string, string>): string {
  let current = posix.normalize(path);
  for (let hops = 0; hops < MAX_LINKS; hops++) {
    const hit = [...links.keys()].find((link) => within(current, link) !== undefined);
    if (hit === undefined) return current;
    const target = links.get(hit)!;
    const base = target.startsWith('/') ? target : posix.join(posix.dirname(hit), target);
    current = posix.join(base, within(current, hit)!);
  }
  return current;
}

/** Where a path inside the container lives on the host, through the root's binds and links. */
export function hostPathOf(
  steps: readonly RootfsStep[],
  containerPath: string,
): string | undefined {
  const links = new Map<string, string>();
  for (const step of steps) if (step.kind === 'symlink') links.set(step.path, step.target);
  const path = followLinks(containerPath, links);
  let best: { prefix: string; source: string } | undefined;
  for (const step of steps) {
    if (step.kind !== 'bind' || within(path, step.path) === undefined) continue;
    if (best === undefined || step.path.length >= best.prefix.length) {
      best = { prefix: step.path, source: step.source };
    }
  }
  if (best === undefined) return undefined;
  const rest = within(path, best.prefix)!;
  return rest === '' ? best.source : posix.join(best.source, rest);
}

function isExecutableFile(hostPath: string | undefined): boolean {
  if (hostPath === undefined) return false;
  try {
    accessSync(hostPath, constants.X_OK);
    return statSync(hostPath).isFile();
  } catch {
    return false;
  }
}

/**
 * Finds the container's executable the way execvp will inside its root, or explains why not
 * in runc's words, so a bad command fails StartContainer (StartError) as it would with runc.
 */
export function lookupExecutable(
  steps: readonly RootfsStep[],
  name: string,
  env: readonly string[],
  lower?: readonly string[],
): { ok: true; path: string } | { ok: false; message: string } {
  // An archive image's files are in its layers (`lower`, top first), unless a mount covers them.
  const hostPath = (path: string) =>
    hostPathOf(steps, path) ?? (lower === undefined ? undefined : hostPathInRoot(lower, path));
  if (name.includes('/')) {
    const path = posix.resolve('/', name);
    if (isExecutableFile(hostPath(path))) return { ok: true, path };
    return { ok: false, message: `exec: "${name}": stat ${name}: no such file or directory` };
  }
  const pathEnv = [...env].reverse().find((entry) => entry.startsWith('PATH='));
  const dirs = (pathEnv?.slice(5) ?? DEFAULT_PATH).split(':').filter(Boolean);
  for (const dir of dirs) {
    const candidate = posix.join(dir, name);
    if (isExecutableFile(hostPath(candidate))) return { ok: true, path: candidate };
  }
  return { ok: false, message: `exec: "${name}": executable file not found in $PATH` };
}

import { delimiter } from 'node:path';
import { findExecutable } from '@loom-net/core/kernel';
import { LabError } from '../errors.ts';

/** What the lab needs from the machine, and the Debian package each tool comes in. */
export const REQUIRED_TOOLS: Readonly<Record<string, string>> = {
  ip: 'iproute2',
  nsenter: 'util-linux',
  unshare: 'util-linux',
  mount: 'mount',
  umount: 'mount',
  openssl: 'openssl',
};

export function requireRoot(action: string): void {
  if (process.getuid?.() !== 0) {
    throw new LabError(
      'LOOM_LAB_NOT_ROOT',
      `cannot ${action}: the lab creates network namespaces and must run as root (try sudo)`,
    );
  }
}

export function findOnPath(
  tool: string,
  path: string = process.env.PATH ?? '',
): string | undefined {
  return findExecutable(tool, path.split(delimiter));
}

export function requireTools(
  action: string,
  tools: Readonly<Record<string, string>> = REQUIRED_TOOLS,
  path?: string,
): void {
  const missing = Object.keys(tools).filter((tool) => findOnPath(tool, path) === undefined);
  if (missing.length === 0) return;
  const packages = [...new Set(missing.map((tool) => tools[tool]))].join(' ');
  throw new LabError(
    'LOOM_LAB_MISSING_TOOL',
    `cannot ${action}: ${missing.join(', ')} not found on PATH (Debian: apt-get install ${packages})`,
  );
}

import { delimiter } from 'node:path';

/**
 * Where Linux distributions keep `ip`, `nft` and `sysctl`. A runtime may start a CNI plugin
 * with a minimal environment (no PATH at all, or one without the sbin directories), and the
 * default search path of exec (`/usr/bin:/bin`) lacks them on Debian.
 */
export const SYSTEM_TOOL_DIRS = [
  '/usr/local/sbin',
  '/usr/local/bin',
  '/usr/sbin',
  '/usr/bin',
  '/sbin',
  '/bin',
];

/** PATH with the system tool directories appended (the caller's own entries keep priority). */
export function withSystemToolDirs(path: string | undefined): string {
  const dirs = (path ?? '').split(delimiter).filter((dir) => dir !== '');
  for (const dir of SYSTEM_TOOL_DIRS) if (!dirs.includes(dir)) dirs.push(dir);
  return dirs.join(delimiter);
}

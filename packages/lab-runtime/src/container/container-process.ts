import type { ChildProcess } from 'node:child_process';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { netnsPath } from '@loom-net/core';
import { SHIM_SCRIPT } from './container-script.ts';

/** The files of a container's directory the shim and its setup script read and write. */
export const CONTAINER_FILES = {
  shim: 'shim.sh',
  setup: 'setup.sh',
  setupLog: 'setup.log',
  shimLog: 'shim.log',
  shimPid: 'shim.pid',
  pid: 'pid',
  started: 'started',
  exit: 'exit',
  rootfs: 'rootfs',
  /** An archive image's overlay: the container's writable layer and overlayfs's work dir. */
  upper: 'upper',
  work: 'work',
  /** And links to its layers, `0` the top one: short lowerdir names (see container-script.ts). */
  lower: 'lower',
} as const;

// The shim and setup script run host tools (mount, mkdir, ln): give them the host's PATH,
// never the container's environment.
const SHIM_ENV = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C' };

/** Writes the shim and creates the two output FIFOs (`mkfifo`: Node has no mkfifo call). */
export function prepareContainerDir(dir: string, setupScript: string): void {
  writeFileSync(join(dir, CONTAINER_FILES.shim), SHIM_SCRIPT, { mode: 0o644 });
  writeFileSync(join(dir, CONTAINER_FILES.setup), setupScript, { mode: 0o644 });
  const fifos = ['stdout', 'stderr'].map((name) => join(dir, name)).filter((p) => !existsSync(p));
  if (fifos.length === 0) return;
  const made = spawnSync('mkfifo', ['-m', '0600', ...fifos], { encoding: 'utf8' });
  if (made.status !== 0)
    throw new Error(`cannot create the output FIFOs in ${dir}: ${made.stderr.trim()}`);
}

/**
 * Starts the shim in the pod's network namespace (none for hostNetwork pods) and in new PID,
 * mount and UTS namespaces. nsenter and unshare exec without forking, so the child's PID is the
 * shim's. Detached (own session): it outlives the runtime, which re-adopts it on restart.
 */
export function spawnShim(dir: string, netns: string | null): ChildProcess {
  const unshare = ['/usr/bin/unshare', '--pid', '--mount', '--uts', '--propagation', 'private'];
  const enter = netns === null ? [] : ['/usr/bin/nsenter', `--net=${netnsPath(netns)}`, '--'];
  const argv = [...enter, ...unshare, '--', '/bin/sh', join(dir, CONTAINER_FILES.shim), dir];
  const log = openSync(join(dir, CONTAINER_FILES.shimLog), 'a');
  try {
    const child = spawn(argv[0]!, argv.slice(1), {
      detached: true,
      env: SHIM_ENV,
      stdio: ['ignore', log, log],
    });
    child.on('error', () => {});
    child.unref();
    return child;
  } finally {
    closeSync(log);
  }
}

/** A PID the shim wrote (`echo $$ >file`): only a complete line counts. */
export function readPidFile(path: string): number | undefined {
  try {
    const match = /^(\d+)\n$/.exec(readFileSync(path, 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

export interface ExitStatus {
  code: number;
  /** When the shim wrote it: the container's finish time, in ns. */
  finishedAt: string;
}

/** The exit status the shim recorded, or undefined while the container runs. */
export function readExitFile(dir: string): ExitStatus | undefined {
  const path = join(dir, CONTAINER_FILES.exit);
  const code = readPidFile(path);
  if (code === undefined) return undefined;
  const finishedAt = statSync(path, { bigint: true }).mtimeNs.toString();
  return { code, finishedAt };
}

export function setupLog(dir: string): string {
  try {
    return readFileSync(join(dir, CONTAINER_FILES.setupLog), 'utf8').trim();
  } catch {
    return '';
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` every `intervalMs` until it returns a value or `timeoutMs` passes. */
export async function pollFor<T>(
  check: () => T | undefined,
  timeoutMs: number,
  intervalMs = 10,
): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined || Date.now() >= deadline) return value;
    await sleep(intervalMs);
  }
}

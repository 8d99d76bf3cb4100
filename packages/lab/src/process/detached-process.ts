import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { netnsPath } from '@loom-net/core';

export interface LaunchSpec {
  file: string;
  args: readonly string[];
  /** Run inside this named network namespace (via `nsenter --net`, which keeps /sys). */
  netns?: string;
  /** And inside the mount namespace bound at this file (a node's). */
  mountNamespace?: string;
  logFile: string;
  pidFile: string;
}

/** Written before each start, so a log tail can show only the latest run. */
export const RUN_MARKER = '=== loom lab: starting ';

/** The argv that starts `spec`: nsenter execs the program, so the PID is the program's. */
export function launchArgv(
  spec: Pick<LaunchSpec, 'file' | 'args' | 'netns' | 'mountNamespace'>,
): string[] {
  const enter = [
    ...(spec.netns === undefined ? [] : [`--net=${netnsPath(spec.netns)}`]),
    ...(spec.mountNamespace === undefined ? [] : [`--mount=${spec.mountNamespace}`]),
  ];
  if (enter.length === 0) return [spec.file, ...spec.args];
  return ['nsenter', ...enter, '--', spec.file, ...spec.args];
}

/**
 * Starts a process that outlives its parent: its own session (so a Ctrl-C of `loom` does
 * not reach it), output appended to its log file, PID written atomically to its PID file.
 */
export function launchDetached(spec: LaunchSpec): number {
  const argv = launchArgv(spec);
  writeFileSync(spec.logFile, `${RUN_MARKER}${new Date().toISOString()}: ${argv.join(' ')}\n`, {
    flag: 'a',
  });
  const log = openSync(spec.logFile, 'a');
  try {
    const child = spawn(argv[0]!, argv.slice(1), {
      detached: true,
      stdio: ['ignore', log, log],
    });
    // An async spawn error (ENOENT) would otherwise crash the caller; the PID check reports it.
    child.on('error', () => {});
    child.unref();
    if (child.pid === undefined) throw new Error(`cannot start ${argv[0]}`);
    writeFileSync(`${spec.pidFile}.tmp`, `${child.pid}\n`);
    renameSync(`${spec.pidFile}.tmp`, spec.pidFile);
    return child.pid;
  } finally {
    closeSync(log);
  }
}

export function readPidFile(pidFile: string): number | undefined {
  try {
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export function removePidFile(pidFile: string): void {
  rmSync(pidFile, { force: true });
}

/**
 * Whether `pid` is still the process the lab started: alive, not a zombie, and its command
 * line mentions `marker` (the state dir every lab process is started with). A PID reused by
 * an unrelated process after a reboot is never taken for ours, nor ever signalled.
 */
export function isOurProcess(pid: number, marker: string): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The state field follows the command name, which is in parentheses and may hold spaces.
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    if (state === 'Z' || state === 'X') return false;
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker);
  } catch {
    return false;
  }
}

export interface StopResult {
  outcome: 'stopped' | 'killed' | 'not-running';
  durationMs: number;
}

/** SIGTERM, wait up to `graceMs` (the API server's graceful shutdown takes seconds), SIGKILL. */
export async function stopProcess(
  pid: number,
  marker: string,
  graceMs = 15_000,
): Promise<StopResult> {
  const started = Date.now();
  if (!isOurProcess(pid, marker)) return { outcome: 'not-running', durationMs: 0 };
  signal(pid, 'SIGTERM');
  if (await waitForExit(pid, marker, graceMs)) {
    return { outcome: 'stopped', durationMs: Date.now() - started };
  }
  signal(pid, 'SIGKILL');
  if (!(await waitForExit(pid, marker, 5_000))) {
    throw new Error(`process ${pid} survived SIGKILL`);
  }
  return { outcome: 'killed', durationMs: Date.now() - started };
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

export async function waitForExit(
  pid: number,
  marker: string,
  timeoutMs: number,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isOurProcess(pid, marker)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

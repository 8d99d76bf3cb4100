import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter } from 'node:path';
import type { RunResult } from '../drivers/cluster-driver.ts';

export interface RunOptions {
  /** Written to the command's stdin, which is then closed. */
  stdin?: string;
  /** Killed (SIGKILL) after this long; the result then has exit code 124, as `timeout` gives. */
  timeoutMs?: number;
}

/**
 * What the kind cluster and its driver need of the machine: run a command, find a tool, see a
 * file. Injected, so the unit tests check the exact command lines (kind and Docker cannot run
 * where Loom's CI runs) and a user's machine runs the real thing.
 */
export interface Host {
  run(command: string, args: readonly string[], options?: RunOptions): Promise<RunResult>;
  /** Whether an executable of this name is on PATH. */
  onPath(name: string): boolean;
  exists(path: string): boolean;
}

export const TIMED_OUT_EXIT_CODE = 124;

/** The machine itself: commands through `spawn` (no shell), PATH as the process has it. */
export function realHost(env: NodeJS.ProcessEnv = process.env): Host {
  return {
    run: (command, args, options) => runCommand(command, args, options),
    onPath: (name) => onPath(name, env.PATH ?? ''),
    exists: (path) => existsSync(path),
  };
}

function onPath(name: string, path: string): boolean {
  // Not core's findExecutable: this module loads in vitest's global setup, before workspace
  // packages resolve from source (see e2e/global-setup.ts).
  return path
    .split(delimiter)
    .filter((dir) => dir !== '')
    .some((dir) => existsSync(`${dir}/${name}`));
}

/** Runs a command to completion; a command that cannot start rejects, naming it. */
export function runCommand(
  command: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let timedOut = false;
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            child.kill('SIGKILL');
          }, options.timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const why = error.code === 'ENOENT' ? 'not found on PATH' : error.message;
      reject(new Error(`cannot run ${command}: ${why}`, { cause: error }));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const text = (chunks: Buffer[]) => Buffer.concat(chunks).toString('utf8');
      const killed = timedOut ? `\n${command} timed out after ${options.timeoutMs} ms` : '';
      resolve({
        exitCode: timedOut ? TIMED_OUT_EXIT_CODE : (code ?? (signal ? 128 : 1)),
        stdout: text(stdout),
        stderr: text(stderr) + killed,
      });
    });
    // A command that exits without reading stdin closes the pipe: not an error of ours.
    child.stdin.on('error', () => {});
    child.stdin.end(options.stdin ?? '');
  });
}

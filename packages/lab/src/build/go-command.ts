import { spawn } from 'node:child_process';
import { LabError } from '../errors.ts';
import { formatDuration } from './format-duration.ts';
import { GO_ENV, type GoCommand } from './go-toolchain.ts';

export interface GoRunOptions {
  cwd: string;
  /** Which Go: the machine's or the pinned toolchain (ensureBinaries decides). */
  go: Pick<GoCommand, 'command'>;
  env?: Record<string, string>;
  /** Called every `heartbeatMs` while the command runs, so long builds are not silent. */
  onHeartbeat?: (elapsed: string) => void;
  heartbeatMs?: number;
}

const TAIL_LINES = 30;

/** Runs `go ARGS…`; resolves with its stdout, or throws with the tail of its output. */
export function runGo(args: readonly string[], options: GoRunOptions): Promise<string> {
  const started = Date.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(options.go.command, args, {
      cwd: options.cwd,
      env: { ...process.env, ...GO_ENV, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output = keepTail(output + chunk.toString());
    });
    const timer = setInterval(
      () => options.onHeartbeat?.(formatDuration(Date.now() - started)),
      options.heartbeatMs ?? 60_000,
    );
    const fail = (detail: string, cause?: unknown) =>
      reject(
        new LabError('LOOM_LAB_BUILD_FAILED', `cannot run go ${renderArgs(args)}: ${detail}`, {
          cause,
        }),
      );
    child.on('error', (error) => {
      clearInterval(timer);
      fail(error.message, error);
    });
    child.on('close', (code, signal) => {
      clearInterval(timer);
      if (code === 0) return resolvePromise(stdout);
      const tail = keepTail(output + stdout).trimEnd();
      fail(`exited with ${signal ?? `code ${code}`}${tail ? `\n${tail}` : ''}`);
    });
  });
}

function keepTail(text: string): string {
  const lines = text.split('\n');
  return lines.length > TAIL_LINES + 1 ? lines.slice(-TAIL_LINES - 1).join('\n') : text;
}

function renderArgs(args: readonly string[]): string {
  return args.map((arg) => (/\s/.test(arg) ? `'${arg}'` : arg)).join(' ');
}

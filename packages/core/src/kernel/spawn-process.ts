import { childProcessModule } from './child-process-module.ts';
import { spawnToCompletion } from './spawn-sync.ts';

export interface SpawnOptions {
  stdin?: string;
  timeoutMs: number;
}

export interface SpawnResult {
  stdout: string;
  stderr: string;
  /** null when the process was killed (timeout) or never started. */
  exitCode: number | null;
  timedOut: boolean;
  /** Set when the executable could not be started (ENOENT, EACCES). */
  spawnError?: Error;
}

// The tools' messages are classified by their English text, so pin the locale. Read at the
// first command, not when this module loads: a plugin sets PATH first thing in its entry point.
let toolEnv: Record<string, string | undefined> | undefined;
function toolEnvironment(): Record<string, string | undefined> {
  toolEnv ??= { ...process.env, LC_ALL: 'C', LANG: 'C' };
  return toolEnv;
}

/** Runs argv without a shell, feeds stdin, collects output; never rejects. */
export function spawnProcess(argv: readonly string[], options: SpawnOptions): Promise<SpawnResult> {
  const [file, ...args] = argv;
  if (file === undefined) throw new TypeError('cannot spawn an empty command');
  const { spawn } = childProcessModule();
  return new Promise((resolve) => {
    const child = spawn(file, args, { env: toolEnvironment(), stdio: ['pipe', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let timedOut = false;
    let spawnError: Error | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    // A tool that exits before reading all of stdin closes the pipe; its exit code says why.
    child.stdin.on('error', () => {});
    child.on('error', (error) => {
      spawnError = error;
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
        exitCode: timedOut || spawnError ? null : code,
        timedOut,
        ...(spawnError ? { spawnError } : {}),
      });
    });
    child.stdin.end(options.stdin ?? '');
  });
}

/**
 * The same, run to completion before returning: no stream objects, no event-loop turns, so a
 * few milliseconds cheaper per command, but the caller's event loop waits meanwhile.
 */
export function spawnProcessSync(argv: readonly string[], options: SpawnOptions): SpawnResult {
  const [file, ...args] = argv;
  if (file === undefined) throw new TypeError('cannot spawn an empty command');
  const child = spawnToCompletion({
    file,
    args,
    env: toolEnvironment(),
    input: options.stdin ?? '',
    timeoutMs: options.timeoutMs,
    // A tool's output is small; the default 1 MiB would also do, but a full `ip -json` dump
    // of a busy node must not be cut off.
    maxBuffer: 64 * 1024 * 1024,
  });
  const { stdout, stderr, errorCode } = child;
  if (errorCode === 'ETIMEDOUT') return { stdout, stderr, exitCode: null, timedOut: true };
  // As above: a tool that exits before reading all of stdin (EPIPE) is judged by its exit code.
  if (errorCode !== undefined && errorCode !== 'EPIPE') {
    const spawnError = Object.assign(new Error(child.errorMessage ?? errorCode), {
      code: errorCode,
    });
    return { stdout, stderr, exitCode: null, timedOut: false, spawnError };
  }
  return { stdout, stderr, exitCode: child.status, timedOut: false };
}

import { spawn } from 'node:child_process';

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

// The tools' messages are classified by their English text, so pin the locale.
const ENV = { ...process.env, LC_ALL: 'C', LANG: 'C' };

/** Runs argv without a shell, feeds stdin, collects output; never rejects. */
export function spawnProcess(argv: readonly string[], options: SpawnOptions): Promise<SpawnResult> {
  const [file, ...args] = argv;
  if (file === undefined) throw new TypeError('cannot spawn an empty command');
  return new Promise((resolve) => {
    const child = spawn(file, args, { env: ENV, stdio: ['pipe', 'pipe', 'pipe'] });
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

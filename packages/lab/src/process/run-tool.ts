import { execFile } from 'node:child_process';

export interface ToolResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs argv without a shell and collects its output; never rejects (a spawn error is 127). */
export function runTool(
  argv: readonly string[],
  options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<ToolResult> {
  return new Promise((resolve) => {
    execFile(
      argv[0]!,
      argv.slice(1),
      {
        timeout: options.timeoutMs ?? 30_000,
        maxBuffer: 64 * 1024 * 1024,
        env: { ...(options.env ?? process.env), LC_ALL: 'C' },
      },
      (error, stdout, stderr) => {
        const code = (error as { code?: unknown } | null)?.code;
        const exitCode = error === null ? 0 : typeof code === 'number' ? code : 127;
        const why = error !== null && typeof code !== 'number' ? error.message : '';
        resolve({ exitCode, stdout, stderr: stderr || why });
      },
    );
  });
}

/** Like {@link runTool}, but a non-zero exit throws `makeError(detail)`. */
export async function mustRunTool(
  argv: readonly string[],
  makeError: (detail: string) => Error,
  options: { timeoutMs?: number } = {},
): Promise<string> {
  const result = await runTool(argv, options);
  if (result.exitCode !== 0) {
    const detail = result.stderr.trim() || `exit code ${result.exitCode}`;
    throw makeError(`${argv.join(' ')}: ${detail}`);
  }
  return result.stdout;
}

import { spawn } from 'node:child_process';
import type { ToolResult } from './run-tool.ts';

export interface AttachedOptions {
  env?: NodeJS.ProcessEnv;
  /** Collect stdout/stderr instead of passing the terminal through. */
  capture?: boolean;
  /** Fed to the command's stdin; implies capture. */
  stdin?: string;
  timeoutMs?: number;
}

/**
 * Runs a command a person asked for (`loom lab kubectl`, `loom lab exec`): attached to the
 * terminal, or captured for tests. Unlike {@link runTool}, the exit status is the caller's to
 * judge and a command killed by a signal reports 128.
 */
export function runAttached(
  argv: readonly string[],
  options: AttachedOptions = {},
): Promise<ToolResult> {
  const capture = options.capture || options.stdin !== undefined;
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), {
      stdio: capture
        ? [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe']
        : 'inherit',
      env: options.env ?? process.env,
      ...(options.timeoutMs ? { timeout: options.timeoutMs } : {}),
    });
    child.stdin?.on('error', () => {});
    child.stdin?.end(options.stdin);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code, signal) =>
      resolve({ exitCode: code ?? (signal ? 128 : 1), stdout, stderr }),
    );
  });
}

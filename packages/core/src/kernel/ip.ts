import { parseIpJson } from './json-output.ts';
import type { CommandRunner, KernelCommand } from './kernel-command.ts';
import { isKernelCommandError, KernelCommandError } from './kernel-command-error.ts';

/**
 * Runs `ip -batch -` with one ip command per line (without the leading `ip`). ip stops at the
 * first failing line, and lines before it stay applied; the error names the failing line.
 */
export async function ipBatch(
  runner: CommandRunner,
  lines: readonly string[],
  netns?: string,
): Promise<void> {
  if (lines.length === 0) return;
  const badLine = lines.find((line) => line.includes('\n'));
  if (badLine !== undefined) throw new TypeError(`ip batch line contains a newline: ${badLine}`);
  const command: KernelCommand = {
    tool: 'ip',
    args: ['-batch', '-'],
    netns,
    stdin: `${lines.join('\n')}\n`,
  };
  try {
    await runner.run(command);
  } catch (error) {
    throw failingLineError(error, lines, netns);
  }
}

// ip reports the failing line as "Command failed -:<n>"; rebuild the error around that line.
function failingLineError(error: unknown, lines: readonly string[], netns?: string): unknown {
  if (!isKernelCommandError(error)) return error;
  const position = /Command failed -:(\d+)/.exec(error.stderr);
  const line = position ? lines[Number(position[1]) - 1] : undefined;
  if (line === undefined) return error;
  const args = line.trim().split(/\s+/);
  return new KernelCommandError(
    { tool: 'ip', args, netns },
    { stderr: error.stderr, exitCode: error.exitCode, reason: error.reason, cause: error },
  );
}

/** Runs `ip -json <args>` and returns the parsed output (an empty listing is `[]`). */
export async function ipJson<T = unknown>(
  runner: CommandRunner,
  args: readonly string[],
  netns?: string,
): Promise<T> {
  const command: KernelCommand = { tool: 'ip', args: ['-json', ...args], netns };
  const { stdout } = await runner.run(command);
  return parseIpJson(command, stdout) as T;
}

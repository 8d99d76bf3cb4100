import {
  type CommandRunner,
  isKernelCommandError,
  KernelCommandError,
} from '@loom-net/core/kernel';

/** An `ip -batch` run stopped at a line; the lines before it are applied, the rest are not. */
export class IpBatchError extends Error {
  /** 0-based index of the failing line. */
  readonly lineIndex: number;
  readonly line: string;
  readonly kernelError: KernelCommandError;

  constructor(lineIndex: number, line: string, kernelError: KernelCommandError) {
    super(kernelError.message, { cause: kernelError });
    this.name = 'IpBatchError';
    this.lineIndex = lineIndex;
    this.line = line;
    this.kernelError = kernelError;
  }
}

/**
 * Runs `ip -json -batch -` and returns the JSON each `show` line printed, in order. Unlike
 * core's `ipBatch` it keeps that output and says which line failed, which ADD needs to know
 * what it created before a failure. (A candidate for core's runner.)
 */
export async function ipBatchJson(
  runner: CommandRunner,
  lines: readonly string[],
  netns?: string,
): Promise<unknown[]> {
  let stdout: string;
  try {
    ({ stdout } = await runner.run({
      tool: 'ip',
      args: ['-json', '-batch', '-'],
      netns,
      stdin: `${lines.join('\n')}\n`,
    }));
  } catch (error) {
    throw lineError(error, lines, netns);
  }
  return stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as unknown);
}

// ip reports the failing line as "Command failed -:<n>" (1-based).
function lineError(error: unknown, lines: readonly string[], netns: string | undefined): unknown {
  if (!isKernelCommandError(error)) return error;
  const position = /Command failed -:(\d+)/.exec(error.stderr);
  const index = position ? Number(position[1]) - 1 : -1;
  const line = lines[index];
  if (line === undefined) return error;
  const lineCommand = { tool: 'ip' as const, args: line.split(' '), netns };
  const kernelError = new KernelCommandError(lineCommand, {
    stderr: error.stderr,
    exitCode: error.exitCode,
    reason: error.reason,
    cause: error,
  });
  return new IpBatchError(index, line, kernelError);
}

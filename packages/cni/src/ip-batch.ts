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
  const lineCommand = { tool: 'ip' as const, args: batchWords(line), netns };
  const kernelError = new KernelCommandError(lineCommand, {
    stderr: error.stderr,
    exitCode: error.exitCode,
    reason: error.reason,
    cause: error,
  });
  return new IpBatchError(index, line, kernelError);
}

// How iproute2 reads a batch (lib/utils.c, getcmdline and makeargs): a line ends at '\n', a
// backslash right before it joins the next line, and a '#' anywhere, even inside quotes,
// starts a comment. Words are separated by space, tab or CR; a word that starts with ' or "
// runs to the next such quote and may hold separators; there is no escape character.
const SEPARATORS = ' \t\r\n';

/**
 * `value` as one word of an `ip -batch` line, quoted when it holds a separator or ends in a
 * backslash (which would join the next line); undefined when iproute2 cannot read it back
 * as one word: it is empty, holds a '#' or a line break, or needs quotes and holds both kinds.
 */
export function batchWord(value: string): string | undefined {
  if (value === '' || value.includes('#') || value.includes('\n')) return undefined;
  const plain =
    value[0] !== '"' && value[0] !== "'" && !value.endsWith('\\') && !/[ \t\r]/.test(value);
  if (plain) return value;
  if (!value.includes('"')) return `"${value}"`;
  if (!value.includes("'")) return `'${value}'`;
  return undefined;
}

/** The words iproute2 reads from one batch line: the inverse of `batchWord`. */
export function batchWords(line: string): string[] {
  const comment = line.indexOf('#');
  const text = comment < 0 ? line : line.slice(0, comment);
  const words: string[] = [];
  let at = 0;
  while (at < text.length) {
    if (SEPARATORS.includes(text[at]!)) {
      at++;
      continue;
    }
    const quote = text[at]!;
    let end: number;
    if (quote === '"' || quote === "'") {
      end = text.indexOf(quote, at + 1);
      if (end < 0) end = text.length; // iproute2 refuses such a line: "Unterminated quoted string"
      words.push(text.slice(at + 1, end));
    } else {
      end = at;
      while (end < text.length && !SEPARATORS.includes(text[end]!)) end++;
      words.push(text.slice(at, end));
    }
    at = end + 1;
  }
  return words;
}

import type { CommandOutput, CommandRunner, KernelCommand } from './kernel-command.ts';
import { KernelCommandError } from './kernel-command-error.ts';

/** A canned answer of the recording runner. */
export interface RecordedResponse {
  /**
   * Which commands it answers: a string is a prefix of the command line as `commandLine`
   * renders it (`nft -j list ruleset`, netns left out), a RegExp is tested against that line.
   */
  match: string | RegExp | ((command: KernelCommand) => boolean);
  stdout?: string;
  stderr?: string;
  /** Non-zero: the command fails with the same KernelCommandError the real runner throws. */
  exitCode?: number;
  /** Answer only this many matching commands, then let later responses answer. */
  times?: number;
}

export interface RecordingRunner extends CommandRunner {
  /** Every command run, in order, including those that failed. */
  readonly commands: KernelCommand[];
  /** The command lines of `commands` (netns left out). */
  lines(): string[];
}

/** `tool arg…` without the netns, e.g. `ip -json route show table 100`. */
export function commandLine(command: KernelCommand): string {
  return [command.tool, ...command.args].join(' ');
}

function matches(response: RecordedResponse, command: KernelCommand): boolean {
  const { match } = response;
  if (typeof match === 'function') return match(command);
  if (typeof match === 'string') return commandLine(command).startsWith(match);
  return match.test(commandLine(command));
}

/**
 * A runner for unit tests: records every command and answers from `responses` (first match
 * wins); a command nothing matches succeeds with empty output.
 */
export function createRecordingRunner(
  responses: readonly RecordedResponse[] = [],
): RecordingRunner {
  const commands: KernelCommand[] = [];
  const remaining = responses.map((response) => ({ response, left: response.times ?? Infinity }));
  return {
    commands,
    lines: () => commands.map(commandLine),
    async run(command: KernelCommand): Promise<CommandOutput> {
      commands.push({ ...command, args: [...command.args] });
      const entry = remaining.find((r) => r.left > 0 && matches(r.response, command));
      if (entry === undefined) return { stdout: '', stderr: '' };
      entry.left -= 1;
      const { stdout = '', stderr = '', exitCode = 0 } = entry.response;
      if (exitCode !== 0) throw new KernelCommandError(command, { stderr, exitCode });
      return { stdout, stderr };
    },
  };
}

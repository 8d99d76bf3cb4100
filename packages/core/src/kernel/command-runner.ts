import type { CommandOutput, CommandRunner, KernelCommand } from './kernel-command.ts';
import { commandArgv } from './kernel-command.ts';
import { KernelCommandError } from './kernel-command-error.ts';
import { netnsExists } from './netns.ts';
import { type SpawnResult, spawnProcess, spawnProcessSync } from './spawn-process.ts';

export interface CommandRunnerOptions {
  /** Kill a command that runs longer than this; default 30 s. */
  timeoutMs?: number;
  /**
   * Run each command to completion inside `run` (spawnSync): cheaper per command, for
   * short-lived processes such as the CNI plugins, whose commands follow one another anyway.
   * The event loop waits meanwhile, so concurrent work does not overlap with the command.
   */
  blocking?: boolean;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/** The runner that spawns the real tools (no shell), in a named netns or the current one. */
export function createCommandRunner(runnerOptions: CommandRunnerOptions = {}): CommandRunner {
  const timeoutMs = runnerOptions.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return {
    async run(command: KernelCommand): Promise<CommandOutput> {
      const argv = commandArgv(command);
      const options = { stdin: command.stdin, timeoutMs };
      const result: SpawnResult = runnerOptions.blocking
        ? spawnProcessSync(argv, options)
        : await spawnProcess(argv, options);
      const { stdout, stderr, exitCode } = result;
      if (result.spawnError) {
        throw new KernelCommandError(command, {
          stderr,
          exitCode,
          detail: `cannot start ${argv[0]}: ${result.spawnError.message}`,
          reason: 'unknown',
          cause: result.spawnError,
        });
      }
      if (result.timedOut) {
        const detail = `timed out after ${timeoutMs} ms`;
        throw new KernelCommandError(command, { stderr, exitCode, detail, reason: 'unknown' });
      }
      if (exitCode !== 0) {
        // Say so plainly rather than "cannot open /var/run/netns/x: No such file or directory".
        if (command.netns !== undefined && !netnsExists(command.netns)) {
          const detail = `netns ${command.netns} does not exist`;
          throw new KernelCommandError(command, { stderr, exitCode, detail, reason: 'not-found' });
        }
        throw new KernelCommandError(command, { stderr, exitCode });
      }
      return { stdout, stderr };
    },
  };
}

import { randomBytes } from 'node:crypto';
import { createCommandRunner } from '../kernel/command-runner.ts';
import type { CommandOutput, CommandRunner } from '../kernel/kernel-command.ts';
import { netnsPath } from '../kernel/kernel-command.ts';
import { addNetns, deleteNetns } from '../kernel/netns.ts';
import { spawnProcess } from '../kernel/spawn-process.ts';
import { requireRoot } from './kernel-availability.ts';
import { registerNetns, unregisterNetns } from './netns-registry.ts';

export interface TestNetns {
  /** `loom-t-<random>` (or `<prefix>-<random>`). */
  name: string;
  /** Runs kernel commands in this namespace unless a command names another one. */
  runner: CommandRunner;
  /** Runs any program inside the namespace (`nsenter --net`); throws when it exits non-zero. */
  exec(cmd: string, args?: readonly string[], options?: ExecOptions): Promise<CommandOutput>;
  /** Deletes the namespace; safe to call twice. */
  cleanup(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export interface ExecOptions {
  stdin?: string;
  timeoutMs?: number;
}

function boundRunner(runner: CommandRunner, name: string): CommandRunner {
  return { run: (command) => runner.run({ ...command, netns: command.netns ?? name }) };
}

async function execIn(
  name: string,
  cmd: string,
  args: readonly string[],
  options: ExecOptions,
): Promise<CommandOutput> {
  const argv = ['nsenter', `--net=${netnsPath(name)}`, cmd, ...args];
  const result = await spawnProcess(argv, {
    stdin: options.stdin,
    timeoutMs: options.timeoutMs ?? 30_000,
  });
  if (result.exitCode === 0) return { stdout: result.stdout, stderr: result.stderr };
  const why =
    result.spawnError?.message ?? (result.timedOut ? 'timed out' : `exit code ${result.exitCode}`);
  throw new Error(
    `${[cmd, ...args].join(' ')} failed in netns ${name} (${why}): ${result.stderr.trim()}`,
  );
}

/**
 * Creates a throwaway network namespace with `lo` up. It is deleted by `cleanup()`, and, if a
 * test forgets, by the test file's teardown.
 */
export async function createTestNetns(prefix = 'loom-t'): Promise<TestNetns> {
  if (!prefix.startsWith('loom-')) {
    throw new TypeError(
      `test netns prefix must start with "loom-" (got ${JSON.stringify(prefix)})`,
    );
  }
  requireRoot();
  const name = `${prefix}-${randomBytes(4).toString('hex')}`;
  const base = createCommandRunner();
  registerNetns(name);
  await addNetns(base, name);
  const runner = boundRunner(base, name);
  await runner.run({ tool: 'ip', args: ['link', 'set', 'lo', 'up'] });
  const cleanup = async (): Promise<void> => {
    await deleteNetns(base, name);
    unregisterNetns(name);
  };
  return {
    name,
    runner,
    exec: (cmd, args = [], options = {}) => execIn(name, cmd, args, options),
    cleanup,
    [Symbol.asyncDispose]: cleanup,
  };
}

/** Alias of `createTestNetns` for `await using ns = await withThrowawayNetns()`. */
export const withThrowawayNetns = createTestNetns;

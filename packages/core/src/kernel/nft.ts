import { parseNftJson } from './json-output.ts';
import type { CommandRunner, KernelCommand } from './kernel-command.ts';

/** Applies a ruleset with `nft -f -`: the whole text is one atomic transaction. */
export async function nftApply(
  runner: CommandRunner,
  ruleset: string,
  netns?: string,
): Promise<void> {
  await runner.run({ tool: 'nft', args: ['-f', '-'], netns, stdin: ruleset });
}

/**
 * Runs `nft -j <args>` and returns the entries of its `nftables` array (`{ table }`,
 * `{ chain }`, `{ rule }`, …) without the `metainfo` entry.
 */
export async function nftJson<T = unknown>(
  runner: CommandRunner,
  args: readonly string[],
  netns?: string,
): Promise<T> {
  const command: KernelCommand = { tool: 'nft', args: ['-j', ...args], netns };
  const { stdout } = await runner.run(command);
  return parseNftJson(command, stdout) as T;
}

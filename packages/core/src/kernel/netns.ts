import { existsSync } from 'node:fs';
import type { CommandRunner } from './kernel-command.ts';
import { assertNetnsName, netnsPath } from './kernel-command.ts';
import { isKernelCommandError } from './kernel-command-error.ts';

/** `ip netns add`; an existing namespace of that name is fine. */
export async function addNetns(runner: CommandRunner, name: string): Promise<void> {
  assertNetnsName(name);
  try {
    await runner.run({ tool: 'ip', args: ['netns', 'add', name] });
  } catch (error) {
    if (!isKernelCommandError(error, 'exists')) throw error;
  }
}

/** `ip netns del`; a namespace that is already gone is fine. */
export async function deleteNetns(runner: CommandRunner, name: string): Promise<void> {
  assertNetnsName(name);
  try {
    await runner.run({ tool: 'ip', args: ['netns', 'del', name] });
  } catch (error) {
    if (!isKernelCommandError(error, 'not-found')) throw error;
  }
}

export function netnsExists(name: string): boolean {
  return existsSync(netnsPath(name));
}

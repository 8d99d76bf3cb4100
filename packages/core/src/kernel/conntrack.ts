import type { CommandRunner } from './kernel-command.ts';
import { isKernelCommandError } from './kernel-command-error.ts';

/**
 * Deletes conntrack entries matching `filter` (`conntrack -D …`, e.g. `['-p', 'udp',
 * '--orig-dst', '10.96.0.10']`; empty = all). conntrack exits 1 when nothing matched; that
 * is success here.
 */
export async function conntrackFlush(
  runner: CommandRunner,
  filter: readonly string[],
  netns?: string,
): Promise<void> {
  try {
    await runner.run({ tool: 'conntrack', args: ['-D', ...filter], netns });
  } catch (error) {
    if (isKernelCommandError(error) && /\b0 flow entries have been deleted/.test(error.stderr))
      return;
    throw error;
  }
}

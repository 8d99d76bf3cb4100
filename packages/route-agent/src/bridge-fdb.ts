import {
  type CommandRunner,
  isKernelCommandError,
  type KernelCommand,
  KernelCommandError,
  type KernelTool,
} from '@loom-net/core';

// VXLAN forwarding entries (the FDB) are only reachable through iproute2's `bridge` tool:
// `ip neigh` cannot set an entry's remote VTEP.
const BRIDGE: KernelTool = 'bridge';

/** `bridge -json fdb show dev <device>`, parsed. */
export async function bridgeFdbJson(
  runner: CommandRunner,
  device: string,
  netns?: string,
): Promise<Array<{ mac?: string; dst?: string }>> {
  const command: KernelCommand = {
    tool: BRIDGE,
    args: ['-json', 'fdb', 'show', 'dev', device],
    netns,
  };
  const { stdout } = await runner.run(command);
  if (stdout.trim() === '') return [];
  try {
    return JSON.parse(stdout) as Array<{ mac?: string; dst?: string }>;
  } catch (cause) {
    const detail = `cannot parse its JSON output: ${(cause as Error).message}`;
    throw new KernelCommandError(command, {
      stderr: '',
      exitCode: 0,
      detail,
      reason: 'invalid',
      cause,
    });
  }
}

/** `bridge -batch -`: like ipBatch, stops at the first failing line and names it. */
export async function bridgeBatch(
  runner: CommandRunner,
  lines: readonly string[],
  netns?: string,
): Promise<void> {
  if (lines.length === 0) return;
  const command: KernelCommand = {
    tool: BRIDGE,
    args: ['-batch', '-'],
    netns,
    stdin: `${lines.join('\n')}\n`,
  };
  try {
    await runner.run(command);
  } catch (error) {
    if (!isKernelCommandError(error)) throw error;
    const position = /Command failed -:(\d+)/.exec(error.stderr);
    const line = position ? lines[Number(position[1]) - 1] : undefined;
    if (line === undefined) throw error;
    const failing = { tool: BRIDGE, args: line.trim().split(/\s+/), netns };
    throw new KernelCommandError(failing, {
      stderr: error.stderr,
      exitCode: error.exitCode,
      reason: error.reason,
      cause: error,
    });
  }
}

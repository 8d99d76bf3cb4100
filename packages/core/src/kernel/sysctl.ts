import type { CommandRunner } from './kernel-command.ts';

// `sysctl -w a=b=c` would silently write "b=c" to a; keys never contain '='.
function assertSysctlKey(key: string): void {
  if (key === '' || key.includes('=') || /\s/.test(key)) {
    throw new TypeError(`invalid sysctl key ${JSON.stringify(key)}`);
  }
}

/** `sysctl -w key=value` (net.* keys are per network namespace). */
export async function sysctlSet(
  runner: CommandRunner,
  key: string,
  value: string,
  netns?: string,
): Promise<void> {
  assertSysctlKey(key);
  await runner.run({ tool: 'sysctl', args: ['-q', '-w', `${key}=${value}`], netns });
}

/** `sysctl -n key`, trimmed. */
export async function sysctlGet(
  runner: CommandRunner,
  key: string,
  netns?: string,
): Promise<string> {
  assertSysctlKey(key);
  const { stdout } = await runner.run({ tool: 'sysctl', args: ['-n', key], netns });
  return stdout.trim();
}

/** The kernel tools Loom drives; nothing else in Loom spawns them. */
export type KernelTool = 'ip' | 'bridge' | 'nft' | 'conntrack' | 'sysctl';

export interface KernelCommand {
  tool: KernelTool;
  args: readonly string[];
  /** A named namespace under /var/run/netns, or the absolute path of a namespace file; absent = the runner's own namespace. */
  netns?: string;
  stdin?: string;
}

export interface CommandOutput {
  stdout: string;
  stderr: string;
}

export interface CommandRunner {
  run(command: KernelCommand): Promise<CommandOutput>;
}

/** Where `ip netns add` mounts named namespaces (iproute2's NETNS_RUN_DIR). */
export const NETNS_RUN_DIR = '/var/run/netns';

// A netns name becomes a path under NETNS_RUN_DIR, so it must not be able to climb out of it.
const NETNS_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

export function assertNetnsName(name: string): void {
  if (!NETNS_NAME.test(name) || name.length > 255) {
    throw new TypeError(
      `invalid netns name ${JSON.stringify(name)}: use letters, digits, '_', '.', '-'`,
    );
  }
}

/**
 * The file of a namespace: a name is one of iproute2's named namespaces; an absolute path
 * (`/proc/<pid>/ns/net`, a runtime's own bind mount) is taken as it is, as CNI_NETNS is.
 */
export function netnsPath(netns: string): string {
  if (netns.startsWith('/')) return netns;
  assertNetnsName(netns);
  return `${NETNS_RUN_DIR}/${netns}`;
}

/**
 * The argv that runs `command`. `ip -n` enters the namespace natively; the other tools go
 * through `nsenter --net`, which only switches the network namespace (`ip netns exec` would
 * also remount /sys, which a daemon in a pod must not do).
 */
export function commandArgv(command: KernelCommand): readonly string[] {
  const { tool, args, netns } = command;
  if (netns === undefined) return [tool, ...args];
  if (tool === 'ip' && !netns.startsWith('/')) {
    assertNetnsName(netns);
    return ['ip', '-n', netns, ...args];
  }
  return ['nsenter', `--net=${netnsPath(netns)}`, tool, ...args];
}

const SHELL_SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

function quoteArg(arg: string): string {
  if (SHELL_SAFE.test(arg)) return arg;
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

/** The command as a shell line a person can paste to reproduce it. */
export function renderCommand(command: KernelCommand): string {
  return commandArgv(command).map(quoteArg).join(' ');
}

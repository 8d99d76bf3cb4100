import { bridgeJson, type CommandRunner } from '@loom-net/core';

/** One entry as `bridge -json fdb show` prints it. */
export interface BridgeFdbJson {
  mac?: string;
  dst?: string;
}

/**
 * The forwarding entries of a VXLAN device: `bridge -json fdb show dev <device>`. Only
 * iproute2's `bridge` tool reaches them; `ip neigh` cannot show an entry's remote VTEP.
 */
export function bridgeFdbJson(
  runner: CommandRunner,
  device: string,
  netns?: string,
): Promise<BridgeFdbJson[]> {
  return bridgeJson<BridgeFdbJson[]>(runner, ['fdb', 'show', 'dev', device], netns);
}

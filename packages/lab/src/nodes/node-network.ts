import {
  addNetns,
  type CommandRunner,
  deleteNetns,
  ipBatch,
  ipLinks,
  isKernelCommandError,
  isLinkUp,
  netnsExists,
  sysctlGet,
  sysctlSet,
} from '@loom-net/core';
import type { LabConfig } from '../config/lab-config.ts';
import { LAB_NETWORK } from '../config/network-plan.ts';
import { LabError } from '../errors.ts';
import { crossSubnetRoute, setCrossSubnetRoute } from '../network/router.ts';
import type { NodePlan } from './node-plan.ts';

const FORWARDING = 'net.ipv4.ip_forward';

/**
 * A node on the underlay, as `ip -batch` lines: a veth from its subnet's switch into the
 * node's namespace, where it is `eth0` with the node's address. The node routes (its pods sit
 * behind it), so forwarding is on in its namespace. A remote node always reaches the first
 * subnet through the router; a node on the first subnet gets its route to the remote one
 * from {@link ensureNodeRoutes} while there is a router.
 */
export function nodeNetworkCommands(node: NodePlan): { switch: string[]; node: string[] } {
  const { bridgeName, nodeLink, underlayPrefixLength } = LAB_NETWORK;
  const toPrimary = crossSubnetRoute(true);
  return {
    switch: [
      `link add ${node.switchPort} type veth peer name ${nodeLink} netns ${node.netns}`,
      `link set ${node.switchPort} master ${bridgeName}`,
      `link set ${node.switchPort} up`,
    ],
    node: [
      'link set lo up',
      `addr add ${node.ip}/${underlayPrefixLength} dev ${nodeLink}`,
      `link set ${nodeLink} up`,
      ...(node.remote ? [`route replace ${toPrimary.dst} via ${toPrimary.via}`] : []),
    ],
  };
}

/** A node on the first subnet routes to the remote one through the router while it exists. */
export async function ensureNodeRoutes(
  runner: CommandRunner,
  node: NodePlan,
  routerPresent: boolean,
): Promise<void> {
  if (node.remote) return;
  await setCrossSubnetRoute(runner, node.netns, false, routerPresent);
}

/** The node's namespace exists with `lo` and `eth0` up, its address, its switch port, forwarding. */
export async function nodeNetworkIsWhole(runner: CommandRunner, node: NodePlan): Promise<boolean> {
  if (!netnsExists(node.netns) || !netnsExists(node.switchNetns)) return false;
  try {
    const links = await ipLinks(runner, ['addr', 'show'], node.netns);
    const eth = links.find((link) => link.ifname === LAB_NETWORK.nodeLink);
    const hasIp = eth?.addr_info.some((addr) => addr.local === node.ip) === true;
    const ports = await ipLinks(
      runner,
      ['link', 'show', 'master', LAB_NETWORK.bridgeName],
      node.switchNetns,
    );
    const port = ports.find((link) => link.ifname === node.switchPort);
    const forwarding = await sysctlGet(runner, FORWARDING, node.netns);
    const lo = links.find((link) => link.ifname === 'lo');
    return hasIp && isLinkUp(eth) && isLinkUp(lo) && isLinkUp(port) && forwarding === '1';
  } catch {
    return false;
  }
}

/** (Re)creates the node's namespace and its link to the switch. */
export async function createNodeNetwork(
  runner: CommandRunner,
  config: LabConfig,
  node: NodePlan,
): Promise<void> {
  try {
    await removeNodeNetwork(runner, config, node);
    await addNetns(runner, node.netns);
    const commands = nodeNetworkCommands(node);
    await ipBatch(runner, commands.switch, node.switchNetns);
    await ipBatch(runner, commands.node, node.netns);
    await sysctlSet(runner, FORWARDING, '1', node.netns);
  } catch (error) {
    throw new LabError(
      'LOOM_LAB_NETWORK_FAILED',
      `cannot create the network of ${node.name} (netns ${node.netns}, ${node.ip}): ${(error as Error).message}`,
      { cause: error },
    );
  }
}

/** Deletes the node's namespace; its veth pair, and so its switch port, go with it. */
export async function removeNodeNetwork(
  runner: CommandRunner,
  config: LabConfig,
  node: NodePlan,
): Promise<void> {
  await deleteNetns(runner, node.netns);
  // A port left behind by a half-made node (its peer was never moved) goes explicitly, on
  // either switch: a node that moved between subnets may have left one on the other.
  for (const netns of [config.netns.switch, config.netns.remoteSwitch]) {
    if (!netnsExists(netns)) continue;
    try {
      await runner.run({ tool: 'ip', args: ['link', 'del', node.switchPort], netns });
    } catch (error) {
      if (!isKernelCommandError(error, 'not-found')) throw error;
    }
  }
}

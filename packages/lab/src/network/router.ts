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

/**
 * The second underlay, for nodes that must not share a subnet with the others (VXLAN's case):
 * a switch namespace of its own holding a bridge, and a router namespace with a leg on each
 * switch (192.168.1.1 and 192.168.2.1), forwarding between them. Every host learns the other
 * subnet through the router with one route, as hosts on a real routed network would.
 */
export function routerCommands(config: LabConfig): {
  switch: string[];
  remoteSwitch: string[];
  router: string[];
} {
  const net = LAB_NETWORK;
  const prefix = net.underlayPrefixLength;
  return {
    switch: [
      `link add ${net.routerPort} type veth peer name ${net.routerPrimaryLink} netns ${config.netns.router}`,
      `link set ${net.routerPort} master ${net.bridgeName}`,
      `link set ${net.routerPort} up`,
    ],
    remoteSwitch: [
      'link set lo up',
      `link add ${net.bridgeName} type bridge`,
      `link set ${net.bridgeName} up`,
      `link add ${net.routerPort} type veth peer name ${net.routerRemoteLink} netns ${config.netns.router}`,
      `link set ${net.routerPort} master ${net.bridgeName}`,
      `link set ${net.routerPort} up`,
    ],
    router: [
      'link set lo up',
      `addr add ${net.routerPrimaryIp}/${prefix} dev ${net.routerPrimaryLink}`,
      `addr add ${net.routerRemoteIp}/${prefix} dev ${net.routerRemoteLink}`,
      `link set ${net.routerPrimaryLink} up`,
      `link set ${net.routerRemoteLink} up`,
    ],
  };
}

/** The route a host needs to the subnet it is not on (none while there is no router). */
export function crossSubnetRoute(remote: boolean): { dst: string; via: string } {
  return remote
    ? { dst: LAB_NETWORK.primarySubnet, via: LAB_NETWORK.routerRemoteIp }
    : { dst: LAB_NETWORK.remoteSubnet, via: LAB_NETWORK.routerPrimaryIp };
}

/**
 * Makes the router exist (`wanted`) or go away, and keeps the control plane's route to the
 * remote subnet in step. A half-made router is rebuilt; nothing else is touched, so nodes and
 * control plane keep running while remote nodes come and go.
 */
export async function ensureRouter(
  runner: CommandRunner,
  config: LabConfig,
  wanted: boolean,
): Promise<void> {
  try {
    if (!wanted) {
      await removeRouter(runner, config);
      await setCrossSubnetRoute(runner, config.netns.controlPlane, false, false);
      return;
    }
    if (!(await routerIsWhole(runner, config))) {
      await removeRouter(runner, config);
      await addNetns(runner, config.netns.router);
      await addNetns(runner, config.netns.remoteSwitch);
      const commands = routerCommands(config);
      await ipBatch(runner, commands.remoteSwitch, config.netns.remoteSwitch);
      await ipBatch(runner, commands.switch, config.netns.switch);
      await ipBatch(runner, commands.router, config.netns.router);
      await sysctlSet(runner, 'net.ipv4.ip_forward', '1', config.netns.router);
    }
    await setCrossSubnetRoute(runner, config.netns.controlPlane, false, true);
  } catch (error) {
    throw new LabError(
      'LOOM_LAB_NETWORK_FAILED',
      `cannot ${wanted ? 'create' : 'remove'} the lab router (netns ${config.netns.router}, ${config.netns.remoteSwitch}): ${(error as Error).message}`,
      { cause: error },
    );
  }
}

export async function removeRouter(runner: CommandRunner, config: LabConfig): Promise<void> {
  // Its veths (and so its port on the first switch) go with its namespace.
  await deleteNetns(runner, config.netns.router);
  await deleteNetns(runner, config.netns.remoteSwitch);
}

/**
 * Adds (`present`) or removes, in `netns`, the route to the subnet this host is not on.
 * `ip route replace` and a tolerant delete make it safe to repeat.
 */
export async function setCrossSubnetRoute(
  runner: CommandRunner,
  netns: string,
  remote: boolean,
  present: boolean,
): Promise<void> {
  if (!netnsExists(netns)) return;
  const { dst, via } = crossSubnetRoute(remote);
  const args = present ? ['route', 'replace', dst, 'via', via] : ['route', 'del', dst, 'via', via];
  try {
    await runner.run({ tool: 'ip', args, netns });
  } catch (error) {
    // Deleting a route that is not there: nothing to do.
    if (present || !isKernelCommandError(error, 'not-found')) throw error;
  }
}

async function routerIsWhole(runner: CommandRunner, config: LabConfig): Promise<boolean> {
  const { router, remoteSwitch } = config.netns;
  if (!netnsExists(router) || !netnsExists(remoteSwitch)) return false;
  try {
    const links = await ipLinks(runner, ['addr', 'show'], router);
    const has = (ifname: string, ip: string) =>
      links.some(
        (link) =>
          link.ifname === ifname &&
          isLinkUp(link) &&
          link.addr_info.some((addr) => addr.local === ip),
      );
    const forwarding = await sysctlGet(runner, 'net.ipv4.ip_forward', router);
    return (
      has(LAB_NETWORK.routerPrimaryLink, LAB_NETWORK.routerPrimaryIp) &&
      has(LAB_NETWORK.routerRemoteLink, LAB_NETWORK.routerRemoteIp) &&
      forwarding === '1'
    );
  } catch {
    return false;
  }
}

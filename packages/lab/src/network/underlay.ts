import {
  addNetns,
  type CommandRunner,
  deleteNetns,
  ipBatch,
  ipLinks,
  isLinkUp,
  netnsExists,
} from '@loom-net/core';
import type { LabConfig } from '../config/lab-config.ts';
import { LAB_NETWORK } from '../config/network-plan.ts';
import { LabError } from '../errors.ts';

/**
 * The underlay, as `ip -batch` lines per namespace: a bridge in the switch namespace and a
 * veth from it to the control plane. Interface names live inside the namespaces, so they
 * need no prefix; nothing is created in the root namespace.
 */
export function underlayCommands(config: LabConfig): { switch: string[]; controlPlane: string[] } {
  const { bridgeName, controlPlanePort, controlPlaneLink } = LAB_NETWORK;
  return {
    switch: [
      'link set lo up',
      `link add ${bridgeName} type bridge`,
      `link set ${bridgeName} up`,
      `link add ${controlPlanePort} type veth peer name ${controlPlaneLink} netns ${config.netns.controlPlane}`,
      `link set ${controlPlanePort} master ${bridgeName}`,
      `link set ${controlPlanePort} up`,
    ],
    controlPlane: [
      'link set lo up',
      `addr add ${LAB_NETWORK.controlPlaneIp}/${LAB_NETWORK.underlayPrefixLength} dev ${controlPlaneLink}`,
      `link set ${controlPlaneLink} up`,
    ],
  };
}

/**
 * Makes the underlay exist. A half-made one (a namespace missing, the veth gone) is torn
 * down and rebuilt; `rebuilt` then tells the caller that processes in the old namespaces
 * are cut off and must be restarted.
 */
export async function ensureUnderlay(
  runner: CommandRunner,
  config: LabConfig,
): Promise<{ rebuilt: boolean }> {
  if (await underlayIsWhole(runner, config)) return { rebuilt: false };
  try {
    await removeUnderlay(runner, config);
    await addNetns(runner, config.netns.switch);
    await addNetns(runner, config.netns.controlPlane);
    const commands = underlayCommands(config);
    await ipBatch(runner, commands.switch, config.netns.switch);
    await ipBatch(runner, commands.controlPlane, config.netns.controlPlane);
  } catch (error) {
    throw new LabError(
      'LOOM_LAB_NETWORK_FAILED',
      `cannot create the lab underlay (netns ${config.netns.switch}, ${config.netns.controlPlane}): ${(error as Error).message}`,
      { cause: error },
    );
  }
  return { rebuilt: true };
}

export async function removeUnderlay(runner: CommandRunner, config: LabConfig): Promise<void> {
  // The veth pair and the bridge go with their namespaces.
  await deleteNetns(runner, config.netns.controlPlane);
  await deleteNetns(runner, config.netns.switch);
}

async function underlayIsWhole(runner: CommandRunner, config: LabConfig): Promise<boolean> {
  if (!netnsExists(config.netns.switch) || !netnsExists(config.netns.controlPlane)) return false;
  try {
    const links = await ipLinks(runner, ['addr', 'show'], config.netns.controlPlane);
    const eth = links.find((link) => link.ifname === LAB_NETWORK.controlPlaneLink);
    const lo = links.find((link) => link.ifname === 'lo');
    const hasIp = eth?.addr_info.some((addr) => addr.local === LAB_NETWORK.controlPlaneIp);
    const ports = await ipLinks(
      runner,
      ['link', 'show', 'master', LAB_NETWORK.bridgeName],
      config.netns.switch,
    );
    const attached = ports.some((port) => port.ifname === LAB_NETWORK.controlPlanePort);
    return Boolean(hasIp) && attached && isLinkUp(eth) && isLinkUp(lo);
  } catch {
    return false;
  }
}

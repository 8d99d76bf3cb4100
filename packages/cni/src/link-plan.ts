import {
  type CniAttachment,
  type CniRoute,
  formatInterfaceAddress,
  type InterfaceAddress,
} from '@loom-net/cni-spec';
import { bridgeAddressLines } from './bridge-addresses.ts';
import { batchWord } from './ip-batch.ts';
import { nameHash, randomMacBytes } from './name-hash.ts';

/** A route to install in the pod: a CNI result route whose gateway is already resolved. */
export type PodRoute = CniRoute;

/** Everything ADD does to links and addresses, decided before anything is touched. */
export interface LinkPlan {
  bridge: string;
  /** Used only if the bridge is created here: a fixed MAC keeps the gateway's MAC stable. */
  bridgeMac: string;
  hostVeth: string;
  hostMac: string;
  podInterface: string;
  podMac: string;
  /** The path of the pod's network namespace (CNI_NETNS). */
  podNetnsPath: string;
  mtu: number | undefined;
  hairpin: boolean;
  isolated: boolean;
  promisc: boolean;
  /** Gateway addresses to hold on the bridge (`10.244.1.1/24`). */
  gatewayAddresses: readonly InterfaceAddress[];
  podAddresses: readonly InterfaceAddress[];
  podRoutes: readonly PodRoute[];
  /** Skip IPv6 duplicate address detection so the addresses work at once. */
  noDad: boolean;
}

/**
 * The host end's name, derived from the attachment: a retried ADD or a DEL after a killed
 * plugin finds the same name, and no two attachments share one. 15 bytes is IFNAMSIZ − 1.
 */
export function hostVethName(network: string, attachment: CniAttachment): string {
  return `veth${nameHash(`${network}\u0000${attachment.containerId}\u0000${attachment.ifname}`).slice(0, 11)}`;
}

/** A random locally administered unicast MAC (RFC 7042 2.1: bit 1 set, bit 0 clear). */
export function randomMac(): string {
  const bytes = randomMacBytes();
  bytes[0] = (bytes[0]! & 0xfe) | 0x02;
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(':');
}

/**
 * `ip -batch` lines that create the bridge, run only when it does not exist yet: a new bridge
 * holds no address, so its gateway addresses go on at once.
 */
export function bridgeCreateLines(plan: LinkPlan): string[] {
  const mtu = plan.mtu === undefined ? '' : ` mtu ${plan.mtu}`;
  return [
    `link add ${plan.bridge} address ${plan.bridgeMac}${mtu} type bridge`,
    ...bridgeAddressLines(plan.bridge, { remove: [], add: [...plan.gatewayAddresses] }),
  ];
}

/**
 * Host side: bridge up (and promiscuous, if asked, whether it is new or not), the veth pair
 * with its pod end created directly in the pod's namespace (so a name clash there fails this
 * one atomic step), the host end enslaved and up. The first line fails with "Cannot find
 * device" if the bridge is missing, before anything has changed. The gateway addresses are
 * not here: whether the bridge may take them depends on what it holds (bridge-addresses.ts).
 */
export function hostSetupLines(plan: LinkPlan): string[] {
  const mtu = plan.mtu === undefined ? '' : ` mtu ${plan.mtu}`;
  const podNetns = batchWord(plan.podNetnsPath);
  if (podNetns === undefined) {
    throw new TypeError(`netns path ${JSON.stringify(plan.podNetnsPath)} cannot go in ip -batch`);
  }
  const lines = [`link set dev ${plan.bridge} up`];
  if (plan.promisc) lines.push(`link set dev ${plan.bridge} promisc on`);
  lines.push(
    `link add ${plan.hostVeth}${mtu} address ${plan.hostMac} type veth peer name ${plan.podInterface}${mtu} address ${plan.podMac} netns ${podNetns}`,
    `link set dev ${plan.hostVeth} master ${plan.bridge}`,
  );
  const portFlags = [plan.hairpin ? 'hairpin on' : '', plan.isolated ? 'isolated on' : ''].filter(
    Boolean,
  );
  if (portFlags.length > 0)
    lines.push(`link set dev ${plan.hostVeth} type bridge_slave ${portFlags.join(' ')}`);
  lines.push(`link set dev ${plan.hostVeth} up`);
  return lines;
}

/** Pod side: the interface up, its addresses, its routes. */
export function podSetupLines(plan: LinkPlan): string[] {
  const lines = [`link set dev ${plan.podInterface} up`];
  for (const address of plan.podAddresses) {
    const nodad = address.ip.family === 6 && plan.noDad ? ' nodad' : '';
    lines.push(`addr add ${formatInterfaceAddress(address)} dev ${plan.podInterface}${nodad}`);
  }
  for (const route of plan.podRoutes) lines.push(routeLine(route, plan.podInterface));
  return lines;
}

function routeLine(route: PodRoute, dev: string): string {
  const parts = [`route add ${route.dst}`];
  if (route.gw !== undefined) parts.push(`via ${route.gw}`);
  parts.push(`dev ${dev}`);
  if (route.priority !== undefined) parts.push(`metric ${route.priority}`);
  if (route.table !== undefined) parts.push(`table ${route.table}`);
  if (route.scope !== undefined) parts.push(`scope ${route.scope}`);
  if (route.mtu !== undefined) parts.push(`mtu ${route.mtu}`);
  if (route.advmss !== undefined) parts.push(`advmss ${route.advmss}`);
  return parts.join(' ');
}

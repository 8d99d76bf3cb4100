import {
  addressBits,
  type Cidr,
  cidrOf,
  familyName,
  formatCidr,
  formatIp,
  type IpAddress,
} from '@loom-net/core';
import { VXLAN_OVERHEAD } from './agent-defaults.ts';
import { type ClaimIndex, createClaimIndex } from './cidr-claims.ts';
import { isConnected } from './host-interfaces.ts';
import { internalIpOf, type NodeView } from './node-view.ts';
import { vtepAddress, vtepMac } from './vtep.ts';

/** `auto`: direct when the peer's InternalIP is on a connected subnet, else VXLAN. */
export type RoutingMode = 'auto' | 'direct' | 'vxlan';
export const ROUTING_MODES: readonly RoutingMode[] = ['auto', 'direct', 'vxlan'];

export interface VxlanSettings {
  readonly device: string;
  readonly vni: number;
  readonly port: number;
}

export interface RoutingInput {
  readonly nodeName: string;
  /** Every Node the informer holds, this one included. */
  readonly nodes: readonly NodeView[];
  readonly mode: RoutingMode;
  /** Subnets of this node's interfaces (Loom's own devices excluded). */
  readonly connected: readonly Cidr[];
  readonly vxlan: VxlanSettings;
  /** MTU of the interface holding this node's InternalIP, when known. */
  readonly underlayMtu?: number;
}

/** `dst via gateway` (direct), or `dst via gateway dev <vxlan> onlink` (tunnelled). */
export interface DesiredRoute {
  readonly dst: Cidr;
  readonly gateway: IpAddress;
  readonly device?: string;
  readonly node: string;
}

export interface VxlanPeer {
  readonly node: string;
  readonly mac: string;
  readonly underlayIp: IpAddress;
  /** The peer's VTEP addresses, one per tunnelled pod CIDR (neighbour entries). */
  readonly gateways: readonly IpAddress[];
}

export interface DesiredVxlan extends VxlanSettings {
  readonly localIp: IpAddress;
  readonly mac: string;
  readonly mtu: number;
  /** This node's VTEP addresses as host prefixes (10.244.1.0/32). */
  readonly addresses: readonly Cidr[];
  readonly peers: readonly VxlanPeer[];
}

export type RoutePath = 'direct' | 'vxlan';

/** How each other node with a pod CIDR is reached; `unrouted` says why a CIDR is not. */
export interface NodeRouting {
  readonly node: string;
  readonly paths: readonly RoutePath[];
  readonly unrouted: readonly string[];
}

export interface DesiredRouting {
  readonly routes: readonly DesiredRoute[];
  readonly vxlan?: DesiredVxlan;
  readonly nodes: readonly NodeRouting[];
  readonly issues: readonly string[];
}

type PathChoice =
  | { path: 'direct'; gateway: IpAddress }
  | { path: 'vxlan'; peerIp: IpAddress }
  | { unrouted: string };

interface Context {
  readonly input: RoutingInput;
  readonly underlayIp: IpAddress | undefined;
}

/**
 * This node's routes to every other node's pod CIDRs: a pure function of the Node list, this
 * node's connected subnets and the mode. Nodes without a pod CIDR are skipped (nothing to
 * route yet); a CIDR that overlaps one already claimed (this node's, or an earlier node's by
 * name) is reported, never routed.
 */
export function desiredRouting(input: RoutingInput): DesiredRouting {
  const issues: string[] = [];
  const self = input.nodes.find((node) => node.name === input.nodeName);
  if (self === undefined) issues.push(`node ${input.nodeName} is not in the Node list`);
  const ctx: Context = { input, underlayIp: self?.internalIps[0] };
  const claimed = createClaimIndex(
    (self?.podCidrs ?? []).map((cidr) => ({ cidr, node: input.nodeName })),
  );
  const routes: DesiredRoute[] = [];
  const peers: VxlanPeer[] = [];
  const nodes: NodeRouting[] = [];
  const others = input.nodes
    .filter((node) => node.name !== input.nodeName)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const node of [...(self ? [self] : []), ...others]) {
    for (const problem of node.problems) issues.push(`node ${node.name}: ${problem}`);
  }
  for (const node of others) {
    if (node.podCidrs.length === 0) continue;
    const routed = routeNode(ctx, node, claimed);
    routes.push(...routed.routes);
    if (routed.peer) peers.push(routed.peer);
    for (const reason of routed.routing.unrouted) issues.push(`node ${node.name}: ${reason}`);
    nodes.push(routed.routing);
  }
  const vxlan = desiredVxlan(ctx, self, peers, issues);
  return { routes: routes.sort(compareRoutes), vxlan, nodes, issues };
}

/** One peer's routes; `claimed` grows by the CIDRs it gets, so later peers cannot reuse them. */
function routeNode(
  ctx: Context,
  node: NodeView,
  claimed: ClaimIndex,
): { routes: DesiredRoute[]; peer?: VxlanPeer; routing: NodeRouting } {
  const routes: DesiredRoute[] = [];
  const paths = new Set<RoutePath>();
  const unrouted: string[] = [];
  const gateways: IpAddress[] = [];
  let peerIp: IpAddress | undefined;
  for (const cidr of node.podCidrs) {
    const clash = claimed.find(cidr);
    const choice: PathChoice = clash
      ? {
          unrouted: `pod CIDR ${formatCidr(cidr)} overlaps ${formatCidr(clash.cidr)} of node ${clash.node}`,
        }
      : choosePath(ctx, node, cidr);
    if ('unrouted' in choice) {
      unrouted.push(choice.unrouted);
      continue;
    }
    claimed.add({ cidr, node: node.name });
    paths.add(choice.path);
    if (choice.path === 'direct') {
      routes.push({ dst: cidr, gateway: choice.gateway, node: node.name });
      continue;
    }
    const gateway = vtepAddress(cidr);
    routes.push({ dst: cidr, gateway, device: ctx.input.vxlan.device, node: node.name });
    gateways.push(gateway);
    peerIp = choice.peerIp;
  }
  const peer = peerIp && { node: node.name, mac: vtepMac(peerIp), underlayIp: peerIp, gateways };
  return { routes, peer, routing: { node: node.name, paths: [...paths].sort(), unrouted } };
}

function choosePath(ctx: Context, node: NodeView, cidr: Cidr): PathChoice {
  const { mode, connected } = ctx.input;
  const family = familyName(cidr.family);
  const gateway = internalIpOf(node, cidr.family);
  const direct = gateway !== undefined && isConnected(connected, gateway);
  if (mode !== 'vxlan' && direct) return { path: 'direct', gateway };
  if (mode === 'direct') {
    return {
      unrouted: gateway
        ? `InternalIP ${formatIp(gateway)} is not on a directly connected subnet (mode direct)`
        : `no ${family} InternalIP for pod CIDR ${formatCidr(cidr)} (mode direct)`,
    };
  }
  if (ctx.underlayIp === undefined) {
    return { unrouted: `this node has no InternalIP to tunnel ${formatCidr(cidr)} from` };
  }
  const peerIp = internalIpOf(node, ctx.underlayIp.family);
  if (peerIp === undefined) {
    const underlay = familyName(ctx.underlayIp.family);
    return { unrouted: `no ${underlay} InternalIP to tunnel ${formatCidr(cidr)} to` };
  }
  return { path: 'vxlan', peerIp };
}

function desiredVxlan(
  ctx: Context,
  self: NodeView | undefined,
  peers: readonly VxlanPeer[],
  issues: string[],
): DesiredVxlan | undefined {
  const { input, underlayIp } = ctx;
  if (peers.length === 0 && input.mode !== 'vxlan') return undefined;
  if (underlayIp === undefined) {
    issues.push(`node ${input.nodeName} has no InternalIP: no VXLAN device`);
    return undefined;
  }
  const overhead = VXLAN_OVERHEAD[underlayIp.family];
  if (input.underlayMtu === undefined) {
    issues.push(`no interface holds InternalIP ${formatIp(underlayIp)}: assuming an MTU of 1500`);
  }
  const addresses = (self?.podCidrs ?? []).map((cidr) =>
    cidrOf(vtepAddress(cidr), addressBits(cidr.family)),
  );
  return {
    ...input.vxlan,
    localIp: underlayIp,
    mac: vtepMac(underlayIp),
    mtu: (input.underlayMtu ?? 1500) - overhead,
    addresses,
    peers,
  };
}

function compareRoutes(a: DesiredRoute, b: DesiredRoute): number {
  if (a.dst.family !== b.dst.family) return a.dst.family - b.dst.family;
  if (a.dst.network !== b.dst.network) return a.dst.network < b.dst.network ? -1 : 1;
  return a.dst.prefix - b.dst.prefix;
}

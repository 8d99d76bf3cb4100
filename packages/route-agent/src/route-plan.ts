import { firstAddress, formatCidr, formatIp, type IpAddress, ipEquals } from '@loom-net/core';
import type { DesiredRoute, DesiredRouting, DesiredVxlan } from './desired-routing.ts';
import type { InterfaceAddress } from './host-interfaces.ts';
import type { FdbEntry, KernelRoute, KernelState, Neighbour, VxlanLink } from './kernel-state.ts';

export interface PlanOptions {
  readonly protocol: number;
  /** The VXLAN device's name, also when no device is wanted (an old one is removed). */
  readonly vxlanDevice: string;
}

/** A desired route left out because a route the agent does not own has its destination. */
export interface RouteConflict {
  readonly route: DesiredRoute;
  readonly foreign: KernelRoute;
}

/** The changes that bring the kernel to the desired state. */
export interface RoutePlan {
  /** One `ip -batch` (link, addresses, neighbours, routes, in a working order). */
  readonly ipLines: readonly string[];
  /** One `bridge -batch` (VXLAN forwarding entries), run after the ip batch. */
  readonly fdbLines: readonly string[];
  readonly conflicts: readonly RouteConflict[];
  readonly routeChanges: {
    readonly add: number;
    readonly replace: number;
    readonly delete: number;
  };
}

interface LinkPlan {
  /** Lines that create or fix the device (after route deletions). */
  readonly lines: string[];
  /** Lines that remove an unwanted device (last). */
  readonly removal: string[];
  /** The device is new, recreated or removed: everything that hung off it is gone. */
  readonly reset: boolean;
}

/**
 * Diffs desired against actual. Only routes carrying `protocol` are ever replaced or
 * deleted; a desired route whose destination is held by anyone else's route is reported as
 * a conflict and left out. Everything on the VXLAN device is the agent's own.
 */
export function planRouteChanges(
  desired: DesiredRouting,
  actual: KernelState,
  options: PlanOptions,
): RoutePlan {
  const link = planLink(desired.vxlan, actual.vxlan, options.vxlanDevice);
  const goneWithLink = (route: KernelRoute): boolean =>
    link.reset && route.device === options.vxlanDevice;
  const routes = planRoutes(desired.routes, actual.routes, options.protocol, goneWithLink);
  const vxlanState = link.reset
    ? { addresses: [], neighbours: [], fdb: [] }
    : { addresses: actual.vxlan?.addresses ?? [], neighbours: actual.neighbours, fdb: actual.fdb };
  const addresses = desired.vxlan ? planAddresses(desired.vxlan, vxlanState.addresses) : noChange();
  const neighbours = desired.vxlan
    ? planNeighbours(desired.vxlan, vxlanState.neighbours)
    : noChange();
  const fdbLines = desired.vxlan ? planFdb(desired.vxlan, vxlanState.fdb) : [];
  return {
    ipLines: [
      ...routes.deletions,
      ...link.lines,
      ...addresses.additions,
      ...neighbours.additions,
      ...routes.additions,
      ...neighbours.deletions,
      ...addresses.deletions,
      ...link.removal,
    ],
    fdbLines,
    conflicts: routes.conflicts,
    routeChanges: routes.counts,
  };
}

function noChange(): { additions: string[]; deletions: string[] } {
  return { additions: [], deletions: [] };
}

function planLink(
  want: DesiredVxlan | undefined,
  have: VxlanLink | undefined,
  device: string,
): LinkPlan {
  if (want === undefined) {
    return {
      lines: [],
      removal: have ? [`link del dev ${device}`] : [],
      reset: have !== undefined,
    };
  }
  const create = [
    `link add ${device} address ${want.mac} mtu ${want.mtu} type vxlan id ${want.vni}` +
      ` local ${formatIp(want.localIp)} dstport ${want.port} nolearning`,
    `link set dev ${device} up`,
  ];
  if (have === undefined) return { lines: create, removal: [], reset: true };
  const same =
    have.kind === 'vxlan' &&
    have.vni === want.vni &&
    have.local === formatIp(want.localIp) &&
    have.port === want.port &&
    have.learning === false &&
    have.mac === want.mac;
  // VNI, local address, port and learning are fixed at creation; the MAC is too, here.
  if (!same) return { lines: [`link del dev ${device}`, ...create], removal: [], reset: true };
  const fix = have.mtu !== want.mtu || !have.up;
  return {
    lines: fix ? [`link set dev ${device} mtu ${want.mtu} up`] : [],
    removal: [],
    reset: false,
  };
}

function planRoutes(
  want: readonly DesiredRoute[],
  have: readonly KernelRoute[],
  protocol: number,
  goneWithLink: (route: KernelRoute) => boolean,
) {
  const proto = String(protocol);
  const owned = new Map<string, KernelRoute>();
  const foreign = new Map<string, KernelRoute>();
  for (const route of have) {
    (route.protocol === proto ? owned : foreign).set(formatCidr(route.dst), route);
  }
  const additions: string[] = [];
  const conflicts: RouteConflict[] = [];
  const counts = { add: 0, replace: 0, delete: 0 };
  const wanted = new Set<string>();
  for (const route of want) {
    const key = formatCidr(route.dst);
    wanted.add(key);
    const current = owned.get(key);
    const live = current !== undefined && !goneWithLink(current);
    if (live && sameRoute(current, route)) continue;
    const clash = foreign.get(key);
    if (!live && clash) {
      conflicts.push({ route, foreign: clash });
      continue;
    }
    const dev = route.device ? ` dev ${route.device} onlink` : '';
    additions.push(`route replace ${key} via ${formatIp(route.gateway)}${dev} proto ${proto}`);
    counts[live ? 'replace' : 'add'] += 1;
  }
  const deletions: string[] = [];
  for (const [key, route] of owned) {
    if (wanted.has(key) || goneWithLink(route)) continue;
    const via = route.gateway ? ` via ${formatIp(route.gateway)}` : '';
    deletions.push(`route del ${key}${via} proto ${proto}`);
    counts.delete += 1;
  }
  return { additions, deletions, conflicts, counts };
}

function sameRoute(have: KernelRoute, want: DesiredRoute): boolean {
  if (have.gateway === undefined || !ipEquals(have.gateway, want.gateway)) return false;
  if (want.device === undefined) return !have.onlink;
  return have.device === want.device && have.onlink;
}

function planAddresses(want: DesiredVxlan, have: readonly InterfaceAddress[]) {
  const key = (ip: IpAddress, prefix: number): string => `${ipKey(ip)}/${prefix}`;
  const wanted = new Set(want.addresses.map((cidr) => key(firstAddress(cidr), cidr.prefix)));
  const present = new Set(have.map((a) => key(a.address, a.subnet.prefix)));
  const additions = want.addresses
    .filter((cidr) => !present.has(key(firstAddress(cidr), cidr.prefix)))
    .map(
      (cidr) =>
        `addr replace ${formatCidr(cidr)} dev ${want.device}${cidr.family === 6 ? ' nodad' : ''}`,
    );
  const deletions = have
    .filter((a) => !wanted.has(key(a.address, a.subnet.prefix)))
    .map((a) => `addr del ${formatIp(a.address)}/${a.subnet.prefix} dev ${want.device}`);
  return { additions, deletions };
}

function planNeighbours(want: DesiredVxlan, have: readonly Neighbour[]) {
  const desired = want.peers.flatMap((peer) => peer.gateways.map((ip) => ({ ip, mac: peer.mac })));
  const wantedIps = new Set(desired.map(({ ip }) => ipKey(ip)));
  const present = new Set(have.filter((n) => n.permanent).map((n) => `${n.mac}|${ipKey(n.ip)}`));
  const additions = desired
    .filter(({ ip, mac }) => !present.has(`${mac}|${ipKey(ip)}`))
    .map(
      ({ ip, mac }) =>
        `neigh replace ${formatIp(ip)} lladdr ${mac} dev ${want.device} nud permanent`,
    );
  // Only permanent entries are the agent's; the kernel's own (failed, stale) come and go.
  const deletions = have
    .filter((n) => n.permanent && !wantedIps.has(ipKey(n.ip)))
    .map((n) => `neigh del ${formatIp(n.ip)} dev ${want.device}`);
  return { additions, deletions };
}

// Deletions first: `fdb replace` of a MAC whose VTEP moved would otherwise leave the old
// entry for the deletion to trip over.
function planFdb(want: DesiredVxlan, have: readonly FdbEntry[]): string[] {
  const key = (mac: string, dst: IpAddress): string => `${mac}|${ipKey(dst)}`;
  const wanted = new Set(want.peers.map((peer) => key(peer.mac, peer.underlayIp)));
  const present = new Set(have.map((entry) => key(entry.mac, entry.dst)));
  const deletions = have
    .filter((entry) => !wanted.has(key(entry.mac, entry.dst)))
    .map((entry) => `fdb del ${entry.mac} dev ${want.device} dst ${formatIp(entry.dst)} self`);
  const additions = want.peers
    .filter((peer) => !present.has(key(peer.mac, peer.underlayIp)))
    .map(
      (peer) =>
        `fdb replace ${peer.mac} dev ${want.device} dst ${formatIp(peer.underlayIp)} self permanent`,
    );
  return [...deletions, ...additions];
}

function ipKey(ip: IpAddress): string {
  return `${ip.family}:${ip.value}`;
}

import {
  addressBits,
  type BridgeFdbJson,
  type Cidr,
  cidrOf,
  type IpAddress,
  type IpFamily,
  type IpNeighbourJson,
  type IpRouteJson,
  parseCidr,
  tryParseIp,
} from '@loom-net/core';
import type { HostInterfaces, InterfaceAddress } from './host-interfaces.ts';

/** A route as the kernel holds it; `protocol` is numeric text thanks to `ip -numeric`. */
export interface KernelRoute {
  readonly dst: Cidr;
  readonly gateway?: IpAddress;
  readonly device?: string;
  readonly onlink: boolean;
  readonly protocol: string;
}

export interface Neighbour {
  readonly ip: IpAddress;
  readonly mac: string;
  readonly permanent: boolean;
}

/** A VXLAN forwarding entry: frames for `mac` go to the VTEP at `dst`. */
export interface FdbEntry {
  readonly mac: string;
  readonly dst: IpAddress;
}

/** The VXLAN device as `ip -details` shows it. */
export interface VxlanLink {
  readonly kind: string | undefined;
  readonly vni: number | undefined;
  readonly local: string | undefined;
  readonly port: number | undefined;
  readonly learning: boolean | undefined;
  readonly mac: string | undefined;
  readonly mtu: number | undefined;
  readonly up: boolean;
  readonly addresses: readonly InterfaceAddress[];
}

/** What the applier diffs against: the main table and the VXLAN device's state. */
export interface KernelState {
  readonly routes: readonly KernelRoute[];
  readonly vxlan: VxlanLink | undefined;
  readonly neighbours: readonly Neighbour[];
  readonly fdb: readonly FdbEntry[];
}

/** From `ip -Numeric -json -4|-6 route show`: the family is the listing's, ip does not print it. */
export function parseKernelRoutes(
  entries: readonly IpRouteJson[],
  family: IpFamily,
): KernelRoute[] {
  const routes: KernelRoute[] = [];
  for (const entry of entries) {
    const dst = parseRouteDst(entry.dst, family);
    if (dst === undefined) continue;
    const gateway = entry.gateway === undefined ? undefined : tryParseIp(entry.gateway);
    routes.push({
      dst,
      gateway,
      device: entry.dev,
      onlink: entry.flags.includes('onlink'),
      protocol: entry.protocol ?? '',
    });
  }
  return routes;
}

// ip prints `default` for /0 and leaves the prefix off host routes.
function parseRouteDst(dst: string, family: IpFamily): Cidr | undefined {
  if (dst === 'default') return cidrOf({ family, value: 0n }, 0);
  if (dst.includes('/')) {
    try {
      return parseCidr(dst, { maskHostBits: true });
    } catch {
      return undefined;
    }
  }
  const ip = tryParseIp(dst);
  return ip && cidrOf(ip, addressBits(ip.family));
}

/** From `ip -json neigh show dev <device>`; unresolved entries (no MAC) are left out. */
export function parseNeighbours(entries: readonly IpNeighbourJson[]): Neighbour[] {
  const neighbours: Neighbour[] = [];
  for (const entry of entries) {
    const ip = tryParseIp(entry.dst);
    if (ip === undefined || entry.lladdr === undefined) continue;
    const permanent = entry.state.includes('PERMANENT');
    neighbours.push({ ip, mac: entry.lladdr.toLowerCase(), permanent });
  }
  return neighbours;
}

/** From `bridge -json fdb show dev <device>`; entries without a remote VTEP are left out. */
export function parseFdb(entries: readonly BridgeFdbJson[]): FdbEntry[] {
  const fdb: FdbEntry[] = [];
  for (const entry of entries) {
    const dst = entry.dst === undefined ? undefined : tryParseIp(entry.dst);
    if (dst === undefined) continue;
    fdb.push({ mac: entry.mac.toLowerCase(), dst });
  }
  return fdb;
}

export function vxlanLinkOf(host: HostInterfaces, device: string): VxlanLink | undefined {
  const link = host.links.get(device);
  if (link === undefined) return undefined;
  const data = link.linkinfo?.info_data ?? {};
  return {
    kind: link.linkinfo?.info_kind,
    vni: typeof data.id === 'number' ? data.id : undefined,
    local: typeof data.local === 'string' ? data.local : undefined,
    port: typeof data.port === 'number' ? data.port : undefined,
    learning: typeof data.learning === 'boolean' ? data.learning : undefined,
    mac: link.address?.toLowerCase(),
    mtu: link.mtu,
    up: link.flags.includes('UP'),
    addresses: host.addresses.filter((a) => a.ifname === device),
  };
}

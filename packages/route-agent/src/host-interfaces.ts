import {
  type Cidr,
  cidrOf,
  contains,
  type IpAddress,
  type IpLinkJson,
  ipEquals,
  tryParseIp,
} from '@loom-net/core';

export interface InterfaceAddress {
  readonly ifname: string;
  readonly address: IpAddress;
  /** The connected subnet (`192.168.1.0/24` for `192.168.1.11/24`). */
  readonly subnet: Cidr;
}

/** What routing needs to know about this node's own interfaces. */
export interface HostInterfaces {
  /** Global-scope addresses (link-local ones never carry node traffic). */
  readonly addresses: readonly InterfaceAddress[];
  readonly links: ReadonlyMap<string, IpLinkJson>;
}

/** From `ip -details -json address show`. */
export function readHostInterfaces(entries: readonly IpLinkJson[]): HostInterfaces {
  const addresses: InterfaceAddress[] = [];
  const links = new Map<string, IpLinkJson>();
  for (const entry of entries) {
    links.set(entry.ifname, entry);
    for (const info of entry.addr_info) {
      if (info.scope !== 'global') continue;
      const address = tryParseIp(info.local);
      if (address === undefined) continue;
      addresses.push({ ifname: entry.ifname, address, subnet: cidrOf(address, info.prefixlen) });
    }
  }
  return { addresses, links };
}

/**
 * The subnets this node reaches without a router: those of its interfaces, except the
 * devices Loom itself creates (the pod bridge and the VXLAN device), whose subnets are pod
 * subnets and must never make a peer look directly connected.
 */
export function connectedSubnets(host: HostInterfaces, ownDevices: readonly string[]): Cidr[] {
  return host.addresses
    .filter(({ ifname, subnet }) => !ownDevices.includes(ifname) && !isHostRoute(subnet))
    .map(({ subnet }) => subnet);
}

/** The interface holding `ip` (this node's InternalIP) and its MTU: the underlay. */
export function underlayOf(
  host: HostInterfaces,
  ip: IpAddress,
): { ifname: string; mtu: number | undefined } | undefined {
  const found = host.addresses.find(({ address }) => ipEquals(address, ip));
  if (found === undefined) return undefined;
  return { ifname: found.ifname, mtu: host.links.get(found.ifname)?.mtu };
}

/** Whether `ip` is inside one of `subnets`. */
export function isConnected(subnets: readonly Cidr[], ip: IpAddress): boolean {
  return subnets.some((subnet) => contains(subnet, ip));
}

// A /32 or /128 (as on a VXLAN or loopback device) connects nothing beyond itself.
function isHostRoute(subnet: Cidr): boolean {
  return subnet.prefix === (subnet.family === 4 ? 32 : 128);
}

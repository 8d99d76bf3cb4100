import {
  addressBits,
  type Cidr,
  cidrOf,
  formatIp,
  type IpAddress,
  parseCidr,
  parseIp,
} from '@loom-net/core/net';

/** An address on an interface with its subnet's prefix length: `10.244.1.5/24`. */
export interface InterfaceAddress {
  readonly ip: IpAddress;
  readonly prefix: number;
}

/** Parses `ip/prefix` keeping the host bits (as `ips[].address` in a CNI result). */
export function parseInterfaceAddress(text: string): InterfaceAddress {
  const slash = typeof text === 'string' ? text.indexOf('/') : -1;
  if (slash < 0)
    throw new TypeError(
      `${JSON.stringify(text)} is not an address with a prefix length (ip/prefix)`,
    );
  const ip = parseIp(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  const prefix = Number(prefixText);
  if (!/^\d{1,3}$/.test(prefixText) || prefix > addressBits(ip.family)) {
    throw new TypeError(
      `${JSON.stringify(text)} has an invalid prefix length ${JSON.stringify(prefixText)}`,
    );
  }
  return { ip, prefix };
}

export function formatInterfaceAddress(address: InterfaceAddress): string {
  return `${formatIp(address.ip)}/${address.prefix}`;
}

/** The subnet an interface address lives in: `10.244.1.5/24` → `10.244.1.0/24`. */
export function subnetOf(address: InterfaceAddress): Cidr {
  return cidrOf(address.ip, address.prefix);
}

/** Parses a route destination, which may carry host bits in hand-written configs. */
export function parseRouteDestination(text: string): Cidr {
  return parseCidr(text, { maskHostBits: true });
}

import { createHash } from 'node:crypto';
import { type Cidr, firstAddress, formatIp, type IpAddress } from '@loom-net/core';

/**
 * The MAC of a node's VXLAN device, derived from the underlay address its peers send to.
 * Deriving it (instead of publishing it in a Node annotation, as flannel does) means a peer
 * knows it from the Node object alone: no patch permission, no window in which a new node's
 * MAC is unknown, and the same value after every restart. The first octet 0x0e is a
 * locally administered unicast MAC. IPv4 keeps the address readable (192.168.1.12 →
 * 0e:4c:c0:a8:01:0c); IPv6 uses 40 bits of its SHA-256.
 */
export function vtepMac(underlayIp: IpAddress): string {
  const bytes =
    underlayIp.family === 4
      ? [0x0e, 0x4c, ...toBytes(underlayIp.value, 4)]
      : [0x0e, ...createHash('sha256').update(formatIp(underlayIp)).digest().subarray(0, 5)];
  return bytes.map((byte) => byte.toString(16).padStart(2, '0')).join(':');
}

/**
 * The address a node's VXLAN device answers to for one of its pod CIDRs: the CIDR's network
 * address (10.244.2.0 for 10.244.2.0/24), flannel's convention. Peers route the CIDR via it
 * (`onlink`), and a permanent neighbour entry maps it to the node's VTEP MAC.
 */
export function vtepAddress(podCidr: Cidr): IpAddress {
  return firstAddress(podCidr);
}

function toBytes(value: bigint, length: number): number[] {
  const bytes: number[] = [];
  for (let i = length - 1; i >= 0; i--) bytes.push(Number((value >> BigInt(8 * i)) & 0xffn));
  return bytes;
}

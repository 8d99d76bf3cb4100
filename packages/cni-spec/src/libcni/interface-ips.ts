import type { CniResult } from '../types/cni-result.ts';

/**
 * The addresses (without prefix) a result gives interface `ifName`, IPv4 first, as containerd
 * picks a pod's IPs (go-cni's Result.Interfaces[ifName]): an address without an interface index
 * counts for `ifName` (an IPAM-only result).
 */
export function ipsOnInterface(result: CniResult, ifName: string): string[] {
  const interfaces = result.interfaces ?? [];
  const ips = (result.ips ?? [])
    .filter((ip) => (ip.interface === undefined ? true : interfaces[ip.interface]?.name === ifName))
    .map((ip) => ip.address.slice(0, ip.address.indexOf('/')));
  const v4 = ips.filter((ip) => !ip.includes(':'));
  return [...v4, ...ips.filter((ip) => ip.includes(':'))];
}

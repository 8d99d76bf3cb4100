import type { CniJson } from './cni-config.ts';

interface ResultInterface {
  name?: string;
  sandbox?: string;
}

interface ResultIp {
  address?: string;
  interface?: number;
}

function stripPrefix(cidr: string): string {
  const slash = cidr.indexOf('/');
  return slash === -1 ? cidr : cidr.slice(0, slash);
}

/**
 * The pod's IPs from a CNI result, as containerd picks them: the addresses on `ifName`
 * (an IP without an interface index counts for the default interface), IPv4 first.
 * Results of spec 0.1/0.2 (`ip4`/`ip6`) are read too.
 */
export function podIpsFromResult(result: CniJson, ifName = 'eth0'): string[] {
  const ips: string[] = [];
  if (Array.isArray(result.ips)) {
    const interfaces = (result.interfaces ?? []) as ResultInterface[];
    for (const ip of result.ips as ResultIp[]) {
      if (typeof ip.address !== 'string') continue;
      const name = ip.interface === undefined ? ifName : interfaces[ip.interface]?.name;
      if (name === ifName) ips.push(stripPrefix(ip.address));
    }
  } else {
    for (const key of ['ip4', 'ip6']) {
      const entry = result[key] as { ip?: string } | undefined;
      if (typeof entry?.ip === 'string') ips.push(stripPrefix(entry.ip));
    }
  }
  const v4 = ips.filter((ip) => !ip.includes(':'));
  return [...v4, ...ips.filter((ip) => ip.includes(':'))];
}

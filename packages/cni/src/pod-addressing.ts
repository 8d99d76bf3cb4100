import {
  CNI_ERROR,
  type CniDns,
  CniError,
  type CniIpConfig,
  type CniResult,
  type CniRoute,
  type InterfaceAddress,
  parseInterfaceAddress,
  parseRouteDestination,
  subnetOf,
} from '@loom-net/cni-spec';
import { formatIp, type IpFamily, ipFromBigInt } from '@loom-net/core/net';
import type { BridgeConfig } from './bridge-config.ts';
import type { PodRoute } from './link-plan.ts';

/** What the IPAM result means for the pod and the bridge. */
export interface PodAddressing {
  podAddresses: InterfaceAddress[];
  /** `gateway/prefix` for the bridge, one per pod subnet (isGateway). */
  gatewayAddresses: InterfaceAddress[];
  podRoutes: PodRoute[];
  /** The result's `ips` (interface index still to be set) and `routes`. */
  ips: CniIpConfig[];
  routes: CniRoute[];
  dns: CniDns | undefined;
}

const DEFAULT_ROUTE: Record<IpFamily, string> = { 4: '0.0.0.0/0', 6: '::/0' };

/**
 * As the reference bridge plugin's calcGateways: an address without a gateway gets its
 * subnet's first address when the bridge is the gateway; with isDefaultGateway, each family
 * gets a default route via its gateway unless IPAM already routes the default.
 */
export function planPodAddressing(
  ipam: CniResult,
  config: BridgeConfig,
  ipamType: string,
): PodAddressing {
  if (!ipam.ips || ipam.ips.length === 0) {
    throw new CniError(CNI_ERROR.delegateFailed, `IPAM plugin ${ipamType} returned no address`);
  }
  const podAddresses: InterfaceAddress[] = [];
  const gatewayAddresses: InterfaceAddress[] = [];
  const gatewayOf = new Map<IpFamily, string>();
  const ips = ipam.ips.map((ip) => {
    const address = parseInterfaceAddress(ip.address);
    podAddresses.push(address);
    const gateway = ip.gateway ?? (config.isGateway ? firstHost(address) : undefined);
    if (gateway === undefined) return { address: ip.address };
    if (!gatewayOf.has(address.ip.family)) gatewayOf.set(address.ip.family, gateway);
    if (config.isGateway)
      addOnce(gatewayAddresses, parseInterfaceAddress(`${gateway}/${address.prefix}`));
    return { address: ip.address, gateway };
  });
  const routes: CniRoute[] = [...(ipam.routes ?? [])];
  if (config.isDefaultGateway) {
    for (const [family, gateway] of gatewayOf) {
      const routed = routes.some((r) => isDefaultRoute(r.dst, family));
      if (!routed) routes.push({ dst: DEFAULT_ROUTE[family], gw: gateway });
    }
  }
  const podRoutes = routes.map((route) => {
    const gw = route.gw ?? gatewayOf.get(parseRouteDestination(route.dst).family);
    return gw === undefined ? { ...route } : { ...route, gw };
  });
  return { podAddresses, gatewayAddresses, podRoutes, ips, routes, dns: ipam.dns };
}

function firstHost(address: InterfaceAddress): string {
  const subnet = subnetOf(address);
  return formatIp(ipFromBigInt(subnet.family, subnet.network + 1n));
}

function isDefaultRoute(dst: string, family: IpFamily): boolean {
  const cidr = parseRouteDestination(dst);
  return cidr.family === family && cidr.prefix === 0;
}

function addOnce(list: InterfaceAddress[], address: InterfaceAddress): void {
  const same = list.some(
    (a) =>
      a.ip.family === address.ip.family &&
      a.ip.value === address.ip.value &&
      a.prefix === address.prefix,
  );
  if (!same) list.push(address);
}

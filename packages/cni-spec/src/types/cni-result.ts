import { parseIp } from '@loom-net/core/net';
import { type CniVersion, versionAtLeast } from '../version/cni-version.ts';
import { parseInterfaceAddress, parseRouteDestination } from './interface-address.ts';
import { asArray, asObject, asString, asUint, attempt } from './json-fields.ts';

/** A result interface (SPEC.md section 5); `mtu`, `socketPath` and `pciID` are 1.1.0 fields. */
export interface CniInterface {
  name: string;
  mac?: string;
  mtu?: number;
  sandbox?: string;
  socketPath?: string;
  pciID?: string;
}

export interface CniIpConfig {
  /** `ip/prefix`, host bits kept: `10.244.1.5/24`. */
  address: string;
  gateway?: string;
  /** Index into `interfaces`; IPAM plugins leave it out. */
  interface?: number;
}

/** A route; `mtu`, `advmss`, `priority`, `table` and `scope` are 1.1.0 fields. */
export interface CniRoute {
  dst: string;
  gw?: string;
  mtu?: number;
  advmss?: number;
  priority?: number;
  table?: number;
  scope?: number;
}

export interface CniDns {
  nameservers?: string[];
  domain?: string;
  search?: string[];
  options?: string[];
}

/**
 * A result in Loom's internal shape (the 1.1.0 one, without `cniVersion`): parsed from any
 * supported version, printed in the version the caller asked for.
 */
export interface CniResult {
  interfaces?: CniInterface[];
  ips?: CniIpConfig[];
  routes?: CniRoute[];
  dns?: CniDns;
}

/** Reads a result of any supported version (`prevResult`, a delegated IPAM plugin's output). */
export function parseResult(value: unknown, where: string): CniResult {
  const object = asObject(value, where);
  const result: CniResult = {};
  if (object.interfaces !== undefined) {
    result.interfaces = asArray(object.interfaces, `${where}.interfaces`).map((item, i) =>
      parseInterface(item, `${where}.interfaces[${i}]`),
    );
  }
  if (object.ips !== undefined) {
    result.ips = asArray(object.ips, `${where}.ips`).map((item, i) =>
      parseIpConfig(item, `${where}.ips[${i}]`),
    );
  }
  if (object.routes !== undefined) {
    result.routes = asArray(object.routes, `${where}.routes`).map((item, i) =>
      parseRoute(item, `${where}.routes[${i}]`),
    );
  }
  if (object.dns !== undefined) {
    const dns = parseDns(object.dns, `${where}.dns`);
    if (!isEmptyDns(dns)) result.dns = dns;
  }
  return result;
}

function parseInterface(value: unknown, where: string): CniInterface {
  const o = asObject(value, where);
  const iface: CniInterface = { name: asString(o.name, `${where}.name`) };
  if (o.mac !== undefined && o.mac !== '') iface.mac = asString(o.mac, `${where}.mac`);
  if (o.mtu !== undefined && o.mtu !== 0) iface.mtu = asUint(o.mtu, `${where}.mtu`);
  if (o.sandbox !== undefined && o.sandbox !== '')
    iface.sandbox = asString(o.sandbox, `${where}.sandbox`);
  if (o.socketPath !== undefined && o.socketPath !== '')
    iface.socketPath = asString(o.socketPath, `${where}.socketPath`);
  if (o.pciID !== undefined && o.pciID !== '') iface.pciID = asString(o.pciID, `${where}.pciID`);
  return iface;
}

function parseIpConfig(value: unknown, where: string): CniIpConfig {
  const o = asObject(value, where);
  const address = asString(o.address, `${where}.address`);
  attempt(() => parseInterfaceAddress(address), `${where}.address`);
  const ip: CniIpConfig = { address };
  if (o.gateway !== undefined && o.gateway !== '') {
    const gateway = asString(o.gateway, `${where}.gateway`);
    attempt(() => parseIp(gateway), `${where}.gateway`);
    ip.gateway = gateway;
  }
  if (o.interface !== undefined && o.interface !== null)
    ip.interface = asUint(o.interface, `${where}.interface`);
  return ip;
}

function parseRoute(value: unknown, where: string): CniRoute {
  const o = asObject(value, where);
  const dst = asString(o.dst, `${where}.dst`);
  attempt(() => parseRouteDestination(dst), `${where}.dst`);
  const route: CniRoute = { dst };
  if (o.gw !== undefined && o.gw !== '') {
    const gw = asString(o.gw, `${where}.gw`);
    attempt(() => parseIp(gw), `${where}.gw`);
    route.gw = gw;
  }
  for (const key of ['mtu', 'advmss', 'priority'] as const) {
    if (o[key] !== undefined && o[key] !== 0) route[key] = asUint(o[key], `${where}.${key}`);
  }
  for (const key of ['table', 'scope'] as const) {
    if (o[key] !== undefined && o[key] !== null) route[key] = asUint(o[key], `${where}.${key}`);
  }
  return route;
}

export function parseDns(value: unknown, where: string): CniDns {
  const o = asObject(value, where);
  const dns: CniDns = {};
  for (const key of ['nameservers', 'search', 'options'] as const) {
    if (o[key] !== undefined && o[key] !== null) {
      dns[key] = asArray(o[key], `${where}.${key}`).map((item, i) =>
        asString(item, `${where}.${key}[${i}]`),
      );
    }
  }
  if (o.domain !== undefined && o.domain !== '') dns.domain = asString(o.domain, `${where}.domain`);
  return dns;
}

export function isEmptyDns(dns: CniDns | undefined): boolean {
  return (
    dns === undefined ||
    ((dns.nameservers?.length ?? 0) === 0 &&
      (dns.search?.length ?? 0) === 0 &&
      (dns.options?.length ?? 0) === 0 &&
      (dns.domain ?? '') === '')
  );
}

/**
 * The result as the spec version `version` spells it: before 1.0.0 every IP carries its
 * family as `version`; before 1.1.0 interfaces and routes have only their original fields.
 */
export function formatResult(result: CniResult, version: CniVersion): Record<string, unknown> {
  const legacy = !versionAtLeast(version, '1.0.0');
  const rich = versionAtLeast(version, '1.1.0');
  const out: Record<string, unknown> = { cniVersion: version };
  if (result.interfaces && result.interfaces.length > 0) {
    out.interfaces = result.interfaces.map((iface) =>
      rich ? { ...iface } : pick(iface, ['name', 'mac', 'sandbox']),
    );
  }
  if (result.ips && result.ips.length > 0) {
    out.ips = result.ips.map((ip) =>
      legacy ? { version: ipVersionOf(ip.address), ...ip } : { ...ip },
    );
  }
  if (result.routes && result.routes.length > 0) {
    out.routes = result.routes.map((route) => (rich ? { ...route } : pick(route, ['dst', 'gw'])));
  }
  if (!isEmptyDns(result.dns)) out.dns = { ...result.dns };
  return out;
}

function ipVersionOf(address: string): '4' | '6' {
  return parseInterfaceAddress(address).ip.family === 4 ? '4' : '6';
}

function pick<T extends object, K extends keyof T>(value: T, keys: readonly K[]): Pick<T, K> {
  const out = {} as Pick<T, K>;
  for (const key of keys) if (value[key] !== undefined) out[key] = value[key];
  return out;
}

import { parseIp } from '@loom-net/core/net';
import { ALL_CNI_VERSIONS, isSupportedVersion } from '../version/cni-version.ts';
import { CNI_ERROR, CniError } from './cni-error.ts';
import {
  type CniIpConfig,
  type CniResult,
  type CniRoute,
  formatResult,
  parseResult,
} from './cni-result.ts';
import { parseInterfaceAddress, parseRouteDestination } from './interface-address.ts';
import { asArray, asObject, asString, attempt } from './json-fields.ts';

// The runtime side meets results of every version: a plugin answers in its config's version,
// a cached result keeps the version it was written in. libcni reads a result in its own
// `cniVersion` (the config's when it has none, invoke's fixupResultVersion) and converts it to
// the version it passes on. Spec 0.1.0 and 0.2.0 results (pkg/types/020) have one `ip4` and
// one `ip6`, each with its own routes.

/**
 * Reads a result of any version, as libcni does: in its own `cniVersion`, else in
 * `fallbackVersion` (the configuration's).
 */
export function readResult(value: unknown, fallbackVersion: string, where: string): CniResult {
  const object = asObject(value, where);
  const version = typeof object.cniVersion === 'string' ? object.cniVersion : fallbackVersion;
  requireKnownVersion(version, where);
  return version === '0.1.0' || version === '0.2.0'
    ? parseLegacyResult(object, where)
    : parseResult(object, where);
}

/** The result as spec `version` spells it, `cniVersion` included (libcni GetAsVersion). */
export function writeResult(result: CniResult, version: string): Record<string, unknown> {
  requireKnownVersion(version, 'the result');
  if (isSupportedVersion(version)) return formatResult(result, version);
  return formatLegacyResult(result, version);
}

function requireKnownVersion(version: string, where: string): void {
  if (!(ALL_CNI_VERSIONS as readonly string[]).includes(version)) {
    throw new CniError(
      CNI_ERROR.incompatibleVersion,
      `cannot read ${where}: unsupported CNI result version ${JSON.stringify(version)}`,
      { details: `known versions: ${ALL_CNI_VERSIONS.join(', ')}` },
    );
  }
}

function parseLegacyResult(object: Record<string, unknown>, where: string): CniResult {
  const ips: CniIpConfig[] = [];
  const routes: CniRoute[] = [];
  for (const key of ['ip4', 'ip6'] as const) {
    if (object[key] === undefined || object[key] === null) continue;
    const config = asObject(object[key], `${where}.${key}`);
    const address = asString(config.ip, `${where}.${key}.ip`);
    attempt(() => parseInterfaceAddress(address), `${where}.${key}.ip`);
    const ip: CniIpConfig = { address };
    if (typeof config.gateway === 'string' && config.gateway !== '') {
      const gateway = config.gateway;
      attempt(() => parseIp(gateway), `${where}.${key}.gateway`);
      ip.gateway = gateway;
    }
    ips.push(ip);
    const listed = config.routes === undefined || config.routes === null ? [] : config.routes;
    asArray(listed, `${where}.${key}.routes`).forEach((item, i) => {
      routes.push(parseLegacyRoute(item, `${where}.${key}.routes[${i}]`));
    });
  }
  // The newer fields (interfaces, dns) parse as in any version; ip4/ip6 stand in for ips/routes.
  const rest = parseResult({ dns: object.dns }, where);
  return {
    ...(ips.length > 0 ? { ips } : {}),
    ...(routes.length > 0 ? { routes } : {}),
    ...rest,
  };
}

function parseLegacyRoute(value: unknown, where: string): CniRoute {
  const o = asObject(value, where);
  const dst = asString(o.dst, `${where}.dst`);
  attempt(() => parseRouteDestination(dst), `${where}.dst`);
  const route: CniRoute = { dst };
  if (typeof o.gw === 'string' && o.gw !== '') route.gw = o.gw;
  return route;
}

// pkg/types/040 convertTo02x: the first address of each family, routes by the family of their
// destination; a result without any address cannot be spelled in 0.2.0.
function formatLegacyResult(result: CniResult, version: string): Record<string, unknown> {
  const out: Record<string, unknown> = { cniVersion: version };
  for (const family of [4, 6] as const) {
    const ip = (result.ips ?? []).find(
      (c) => parseInterfaceAddress(c.address).ip.family === family,
    );
    if (ip === undefined) continue;
    const routes = (result.routes ?? [])
      .filter((route) => parseRouteDestination(route.dst).family === family)
      .map((route) =>
        route.gw === undefined ? { dst: route.dst } : { dst: route.dst, gw: route.gw },
      );
    out[`ip${family}`] = {
      ip: ip.address,
      ...(ip.gateway === undefined ? {} : { gateway: ip.gateway }),
      ...(routes.length > 0 ? { routes } : {}),
    };
  }
  if (out.ip4 === undefined && out.ip6 === undefined) {
    throw new CniError(
      CNI_ERROR.incompatibleVersion,
      `cannot write the result as CNI ${version}: it has no IP address, which ${version} requires`,
    );
  }
  if (result.dns !== undefined) out.dns = { ...result.dns };
  return out;
}

import {
  CNI_ERROR,
  CniError,
  type CniRoute,
  describeValue,
  parseRouteDestination,
} from '@loom-net/cni-spec';
import {
  type AllocationRange,
  formatAllocationRange,
  formatCidr,
  type IpAddress,
  parseCidr,
  parseIp,
  resolveAllocationRange,
} from '@loom-net/core/net';

/** One address is allocated from each range set: a v4 set plus a v6 set is dual-stack. */
export type RangeSet = readonly AllocationRange[];

/** host-local's configuration, validated (cni.dev `plugins/current/ipam/host-local`). */
export interface IpamConfig {
  network: string;
  rangeSets: readonly RangeSet[];
  routes: readonly CniRoute[];
  /** The state lives in `<dataDir>/<network>/`, as host-local's. */
  dataDir: string;
  resolvConf: string | undefined;
  /** Addresses the runtime asked for: the `ips` capability, `args.cni.ips`, CNI_ARGS `IP`. */
  requestedIps: readonly IpAddress[];
}

export const DEFAULT_DATA_DIR = '/var/lib/cni/networks';

export interface IpamConfigSource {
  config: Record<string, unknown>;
  network: string;
  args: ReadonlyMap<string, string>;
}

export function parseIpamConfig(source: IpamConfigSource): IpamConfig {
  const ipam = source.config.ipam;
  if (typeof ipam !== 'object' || ipam === null || Array.isArray(ipam)) {
    throw invalid(`ipam must be an object, got ${describeValue(ipam)}`);
  }
  const o = ipam as Record<string, unknown>;
  const runtimeConfig = objectOrEmpty(source.config.runtimeConfig);
  const rangeSets = parseRangeSets(rangeSetsSource(o, runtimeConfig));
  checkNoOverlap(rangeSets);
  return {
    network: source.network,
    rangeSets,
    routes: parseRoutes(o.routes),
    dataDir: optionalString(o.dataDir, 'ipam.dataDir') ?? DEFAULT_DATA_DIR,
    resolvConf: optionalString(o.resolvConf, 'ipam.resolvConf'),
    requestedIps: requestedIps(source.config, runtimeConfig, source.args),
  };
}

interface RangeSetsSource {
  where: string;
  sets: unknown[];
}

// host-local: the `ipRanges` capability replaces `ranges`; a top-level `subnet` is the
// pre-`ranges` spelling of one single-range set and comes first.
function rangeSetsSource(
  ipam: Record<string, unknown>,
  runtimeConfig: Record<string, unknown>,
): RangeSetsSource {
  const fromRuntime = runtimeConfig.ipRanges;
  if (Array.isArray(fromRuntime) && fromRuntime.length > 0)
    return { where: 'runtimeConfig.ipRanges', sets: fromRuntime };
  const sets: unknown[] = [];
  if (ipam.subnet !== undefined && ipam.subnet !== '') {
    sets.push([
      {
        subnet: ipam.subnet,
        rangeStart: ipam.rangeStart,
        rangeEnd: ipam.rangeEnd,
        gateway: ipam.gateway,
      },
    ]);
  }
  if (ipam.ranges !== undefined) {
    if (!Array.isArray(ipam.ranges))
      throw invalid(`ipam.ranges must be a list of range sets, got ${describeValue(ipam.ranges)}`);
    sets.push(...ipam.ranges);
  }
  if (sets.length === 0) throw invalid('no address range: set ipam.ranges (or ipam.subnet)');
  return { where: 'ipam.ranges', sets };
}

function parseRangeSets(source: RangeSetsSource): RangeSet[] {
  return source.sets.map((set, i) => {
    const where = `${source.where}[${i}]`;
    if (!Array.isArray(set) || set.length === 0)
      throw invalid(`${where} must be a non-empty list of ranges, got ${describeValue(set)}`);
    const ranges = set.map((range, j) => parseRange(range, `${where}[${j}]`));
    const family = ranges[0]!.cidr.family;
    if (ranges.some((range) => range.cidr.family !== family)) {
      throw invalid(
        `${where} mixes IPv4 and IPv6 ranges: each range set yields one address of one family`,
      );
    }
    return ranges;
  });
}

function parseRange(value: unknown, where: string): AllocationRange {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid(`${where} must be an object with a subnet, got ${describeValue(value)}`);
  }
  const o = value as Record<string, unknown>;
  const subnetText = optionalString(o.subnet, `${where}.subnet`);
  if (subnetText === undefined) throw invalid(`${where}.subnet is missing`);
  try {
    const cidr = parseCidr(subnetText, { maskHostBits: true });
    return resolveAllocationRange({
      cidr,
      rangeStart: optionalIp(o.rangeStart, `${where}.rangeStart`),
      rangeEnd: optionalIp(o.rangeEnd, `${where}.rangeEnd`),
      gateway: optionalIp(o.gateway, `${where}.gateway`),
    });
  } catch (error) {
    if (error instanceof CniError) throw error;
    throw invalid(`${where}: ${(error as Error).message}`, error);
  }
}

function checkNoOverlap(rangeSets: readonly RangeSet[]): void {
  const all = rangeSets.flatMap((set, i) => set.map((range) => ({ range, set: i })));
  for (let a = 0; a < all.length; a++) {
    for (let b = a + 1; b < all.length; b++) {
      const x = all[a]!.range;
      const y = all[b]!.range;
      const overlap =
        x.cidr.family === y.cidr.family &&
        x.rangeStart.value <= y.rangeEnd.value &&
        y.rangeStart.value <= x.rangeEnd.value;
      if (overlap) {
        throw invalid(
          `range ${formatAllocationRange(x)} of ${formatCidr(x.cidr)} (set ${all[a]!.set}) overlaps range ${formatAllocationRange(y)} of ${formatCidr(y.cidr)} (set ${all[b]!.set})`,
        );
      }
    }
  }
}

function parseRoutes(value: unknown): CniRoute[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value))
    throw invalid(`ipam.routes must be a list, got ${describeValue(value)}`);
  return value.map((item, i) => {
    const where = `ipam.routes[${i}]`;
    if (typeof item !== 'object' || item === null)
      throw invalid(`${where} must be an object, got ${describeValue(item)}`);
    const o = item as Record<string, unknown>;
    const dst = optionalString(o.dst, `${where}.dst`);
    if (dst === undefined) throw invalid(`${where}.dst is missing`);
    try {
      parseRouteDestination(dst);
    } catch (error) {
      throw invalid(`${where}.dst: ${(error as Error).message}`, error);
    }
    const gw = optionalIp(o.gw, `${where}.gw`);
    return gw === undefined ? { dst } : { dst, gw: o.gw as string };
  });
}

function requestedIps(
  config: Record<string, unknown>,
  runtimeConfig: Record<string, unknown>,
  args: ReadonlyMap<string, string>,
): IpAddress[] {
  const texts: string[] = [];
  const fromArgs = objectOrEmpty(objectOrEmpty(config.args).cni).ips;
  for (const list of [runtimeConfig.ips, fromArgs]) {
    if (Array.isArray(list)) texts.push(...list.map((ip) => String(ip)));
  }
  const fromEnv = args.get('IP');
  if (fromEnv) texts.push(...fromEnv.split(','));
  return texts.map((text) => {
    const bare = text.trim().split('/')[0]!;
    try {
      return parseIp(bare);
    } catch (error) {
      throw invalid(`requested address ${JSON.stringify(text)} is not an IP address`, error);
    }
  });
}

function optionalString(value: unknown, where: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string')
    throw invalid(`${where} must be a string, got ${describeValue(value)}`);
  return value;
}

function optionalIp(value: unknown, where: string): IpAddress | undefined {
  const text = optionalString(value, where);
  if (text === undefined) return undefined;
  try {
    return parseIp(text);
  } catch (error) {
    throw invalid(`${where}: ${(error as Error).message}`, error);
  }
}

function objectOrEmpty(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function invalid(message: string, cause?: unknown): CniError {
  return new CniError(CNI_ERROR.invalidConfig, `invalid IPAM configuration: ${message}`, { cause });
}

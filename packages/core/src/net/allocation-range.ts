import { addressBits, familyName, formatIp, type IpAddress, ipFromBigInt } from './address.ts';
import { type Cidr, contains, firstAddress, formatCidr, lastAddress } from './cidr.ts';
import { NetError } from './errors.ts';

/** A bitmap of 2^16 addresses is 8 KiB: ample for a node's pods (Kubernetes caps at 110). */
export const defaultMaxRangeSize = 65_536;
const hardMaxRangeSize = 1 << 24;

export interface AllocationRangeOptions {
  readonly cidr: Cidr;
  /** First allocatable address; default: the network address + 1 (as CNI host-local). */
  readonly rangeStart?: IpAddress;
  /** Last allocatable address; default: the broadcast − 1 for IPv4, the last address for IPv6. */
  readonly rangeEnd?: IpAddress;
  /** Never allocated; default: the network address + 1. `null`: no gateway. */
  readonly gateway?: IpAddress | null;
  /** More addresses never to allocate. */
  readonly exclude?: readonly IpAddress[];
  /**
   * Most addresses a range may span. A default rangeEnd past it is pulled in (an IPv6 /64
   * allocates from its first 65536 addresses, as Kubernetes' IPv6 service allocator does);
   * an explicit one past it is an error.
   */
  readonly maxSize?: number;
}

export interface AllocationRange {
  readonly cidr: Cidr;
  readonly rangeStart: IpAddress;
  readonly rangeEnd: IpAddress;
  /** Number of addresses from rangeStart to rangeEnd inclusive. */
  readonly size: number;
  readonly gateway: IpAddress | undefined;
  /** Addresses inside the range that are never allocated, ascending. */
  readonly reserved: readonly IpAddress[];
}

export function resolveAllocationRange(options: AllocationRangeOptions): AllocationRange {
  const { cidr } = options;
  const where = formatCidr(cidr);
  const maxPrefix = addressBits(cidr.family) - 2;
  if (cidr.prefix > maxPrefix) {
    throw invalidRange(
      `${where} is too small to allocate from (${familyName(cidr.family)} needs /${maxPrefix} or shorter)`,
    );
  }
  const network = firstAddress(cidr).value;
  const maxSize = checkMaxSize(options.maxSize ?? defaultMaxRangeSize);
  const start = checkInside(cidr, options.rangeStart, 'rangeStart') ?? network + 1n;
  const naturalEnd = lastAddress(cidr).value - (cidr.family === 4 ? 1n : 0n);
  let end = checkInside(cidr, options.rangeEnd, 'rangeEnd') ?? naturalEnd;
  if (end < start) {
    throw invalidRange(
      `rangeEnd ${formatIp(ipFromBigInt(cidr.family, end))} is before rangeStart ${formatIp(ipFromBigInt(cidr.family, start))} in ${where}`,
    );
  }
  if (end - start + 1n > BigInt(maxSize)) {
    if (options.rangeEnd !== undefined) {
      throw invalidRange(
        `range ${formatSpan(cidr, start, end)} spans more than ${maxSize} addresses`,
      );
    }
    end = start + BigInt(maxSize) - 1n;
  }
  const gateway =
    options.gateway === null
      ? undefined
      : (checkInside(cidr, options.gateway ?? undefined, 'gateway') ?? network + 1n);
  const reserved = reservedValues(cidr, gateway, options.exclude ?? []).filter(
    (v) => v >= start && v <= end,
  );
  return Object.freeze({
    cidr,
    rangeStart: ipFromBigInt(cidr.family, start),
    rangeEnd: ipFromBigInt(cidr.family, end),
    size: Number(end - start + 1n),
    gateway: gateway === undefined ? undefined : ipFromBigInt(cidr.family, gateway),
    reserved: Object.freeze(reserved.map((v) => ipFromBigInt(cidr.family, v))),
  });
}

/** `10.244.1.1-10.244.1.254`: how errors and snapshots name a range. */
export function formatAllocationRange(range: AllocationRange): string {
  return `${formatIp(range.rangeStart)}-${formatIp(range.rangeEnd)}`;
}

// The network address is IPv6's subnet-router anycast address (RFC 4291 2.6.1), so it is
// reserved for both families; only IPv4 has a broadcast address.
function reservedValues(
  cidr: Cidr,
  gateway: bigint | undefined,
  exclude: readonly IpAddress[],
): bigint[] {
  const values = new Set<bigint>([firstAddress(cidr).value]);
  if (cidr.family === 4) values.add(lastAddress(cidr).value);
  if (gateway !== undefined) values.add(gateway);
  for (const ip of exclude) values.add(checkInside(cidr, ip, 'exclude')!);
  return [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function checkInside(cidr: Cidr, ip: IpAddress | undefined, field: string): bigint | undefined {
  if (ip === undefined) return undefined;
  if (!contains(cidr, ip)) {
    throw invalidRange(`${field} ${formatIp(ip)} is not inside ${formatCidr(cidr)}`);
  }
  return ip.value;
}

function checkMaxSize(maxSize: number): number {
  if (!Number.isInteger(maxSize) || maxSize < 1 || maxSize > hardMaxRangeSize) {
    throw invalidRange(`maxSize ${maxSize} is not in 1-${hardMaxRangeSize}`);
  }
  return maxSize;
}

function formatSpan(cidr: Cidr, start: bigint, end: bigint): string {
  return `${formatIp(ipFromBigInt(cidr.family, start))}-${formatIp(ipFromBigInt(cidr.family, end))}`;
}

function invalidRange(message: string): NetError<'LOOM_INVALID_ALLOCATION_RANGE'> {
  return new NetError('LOOM_INVALID_ALLOCATION_RANGE', `invalid allocation range: ${message}`);
}

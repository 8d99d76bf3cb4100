import { formatIp, type IpAddress, ipFromBigInt } from './address.ts';
import {
  type AllocationRange,
  type AllocationRangeOptions,
  formatAllocationRange,
  resolveAllocationRange,
} from './allocation-range.ts';
import { type AllocatorSnapshot, decodeSnapshot, encodeSnapshot } from './allocator-snapshot.ts';
import { bitmapBytes, clearBit, countSetBits, findClearBit, setBit, testBit } from './bitmap.ts';
import { formatCidr } from './cidr.ts';
import { NetError, RangeExhaustedError } from './errors.ts';

/**
 * Hands out the addresses of one range, one bit each. Not safe across processes by
 * itself: callers that share it (parallel CNI calls) persist `snapshot()` under a lock.
 */
export interface BitmapAllocator {
  readonly range: AllocationRange;
  /** The next free address after the last one handed out, wrapping (as CNI host-local). */
  allocateNext(): IpAddress;
  /** Takes this exact address; throws if it is reserved, in use or outside the range. */
  allocate(ip: IpAddress): IpAddress;
  /** Frees the address; false if it was not allocated. */
  release(ip: IpAddress): boolean;
  /** Whether a caller holds the address (reserved addresses are not "allocated"). */
  isAllocated(ip: IpAddress): boolean;
  isReserved(ip: IpAddress): boolean;
  freeCount(): number;
  allocatedCount(): number;
  /** Allocated addresses in ascending order. */
  allocated(): IpAddress[];
  snapshot(): AllocatorSnapshot;
}

export function createBitmapAllocator(options: AllocationRangeOptions): BitmapAllocator {
  const range = resolveAllocationRange(options);
  return allocatorOver(newState(range, new Uint8Array(bitmapBytes(range.size)), -1));
}

/** Rebuilds an allocator from `snapshot()` output; the range options must resolve the same. */
export function restoreBitmapAllocator(
  options: AllocationRangeOptions,
  snapshot: unknown,
): BitmapAllocator {
  const range = resolveAllocationRange(options);
  const { bits, last } = decodeSnapshot(range, snapshot);
  return allocatorOver(newState(range, bits, last));
}

interface State {
  readonly range: AllocationRange;
  readonly name: string;
  /** One bit per address of the range: set when allocated or reserved. */
  readonly bits: Uint8Array;
  readonly reserved: ReadonlySet<number>;
  used: number;
  last: number;
}

function allocatorOver(s: State): BitmapAllocator {
  return {
    range: s.range,
    allocateNext: () => allocateNext(s),
    allocate: (ip) => allocate(s, ip),
    release: (ip) => release(s, ip),
    isAllocated(ip) {
      const offset = offsetOf(s, ip);
      return offset !== undefined && !s.reserved.has(offset) && testBit(s.bits, offset);
    },
    isReserved(ip) {
      const offset = offsetOf(s, ip);
      return offset !== undefined && s.reserved.has(offset);
    },
    freeCount: () => s.range.size - s.used,
    allocatedCount: () => s.used - s.reserved.size,
    allocated: () => allocated(s),
    snapshot: () => encodeSnapshot(s.range, s.bits, s.reserved, s.last),
  };
}

function newState(range: AllocationRange, bits: Uint8Array, last: number): State {
  const name = `${formatCidr(range.cidr)} range ${formatAllocationRange(range)}`;
  const reserved = new Set(range.reserved.map((ip) => Number(ip.value - range.rangeStart.value)));
  for (const offset of reserved) {
    if (testBit(bits, offset)) {
      const ip = formatIp(ipFromBigInt(range.cidr.family, range.rangeStart.value + BigInt(offset)));
      const message = `snapshot of ${name} allocates ${ip}, which is reserved`;
      throw new NetError('LOOM_INVALID_ALLOCATOR_SNAPSHOT', message);
    }
    setBit(bits, offset);
  }
  return { range, name, bits, reserved, used: countSetBits(bits), last };
}

function allocateNext(s: State): IpAddress {
  const offset = s.used < s.range.size ? findClearBit(s.bits, s.range.size, s.last + 1) : -1;
  if (offset === -1) {
    const message = `cannot allocate an address: all ${s.range.size} addresses of ${s.name} are allocated or reserved`;
    throw new RangeExhaustedError(formatAllocationRange(s.range), message);
  }
  return take(s, offset);
}

function allocate(s: State, ip: IpAddress): IpAddress {
  const offset = allocatableOffset(s, ip, 'allocate');
  if (testBit(s.bits, offset)) {
    const message = `cannot allocate ${formatIp(ip)}: it is already allocated in ${s.name}`;
    throw new NetError('LOOM_ADDRESS_IN_USE', message);
  }
  return take(s, offset);
}

function release(s: State, ip: IpAddress): boolean {
  const offset = allocatableOffset(s, ip, 'release');
  if (!testBit(s.bits, offset)) return false;
  clearBit(s.bits, offset);
  s.used--;
  return true;
}

function allocated(s: State): IpAddress[] {
  const result: IpAddress[] = [];
  for (let i = 0; i < s.range.size; i++) {
    if (testBit(s.bits, i) && !s.reserved.has(i)) result.push(addressAt(s, i));
  }
  return result;
}

function take(s: State, offset: number): IpAddress {
  setBit(s.bits, offset);
  s.used++;
  // host-local also moves its round-robin cursor on a requested address.
  s.last = offset;
  return addressAt(s, offset);
}

function allocatableOffset(s: State, ip: IpAddress, action: string): number {
  const offset = offsetOf(s, ip);
  if (offset === undefined) {
    const message = `cannot ${action} ${formatIp(ip)}: it is outside ${s.name}`;
    throw new NetError('LOOM_OUT_OF_RANGE', message);
  }
  if (s.reserved.has(offset)) {
    const message = `cannot ${action} ${formatIp(ip)}: it is reserved in ${s.name}`;
    throw new NetError('LOOM_ADDRESS_RESERVED', message);
  }
  return offset;
}

function offsetOf(s: State, ip: IpAddress): number | undefined {
  const { rangeStart, rangeEnd } = s.range;
  const inside =
    ip.family === rangeStart.family && ip.value >= rangeStart.value && ip.value <= rangeEnd.value;
  return inside ? Number(ip.value - rangeStart.value) : undefined;
}

function addressAt(s: State, offset: number): IpAddress {
  return ipFromBigInt(s.range.cidr.family, s.range.rangeStart.value + BigInt(offset));
}

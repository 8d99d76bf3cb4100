import { formatIp, ipFromBigInt, tryParseIp } from './address.ts';
import { type AllocationRange, formatAllocationRange } from './allocation-range.ts';
import { bitmapBytes, clearBit } from './bitmap.ts';
import { formatCidr } from './cidr.ts';
import { NetError } from './errors.ts';

/**
 * A BitmapAllocator's state as JSON-ready strings. `cidr` and `range` let a restore
 * refuse state written for another range; `bitmap` holds allocations only, so moving
 * the gateway or the exclusions does not leave stale reservations behind.
 */
export interface AllocatorSnapshot {
  readonly version: 1;
  readonly cidr: string;
  /** `rangeStart-rangeEnd`. */
  readonly range: string;
  /** The last address handed out (where round-robin resumes), or null. */
  readonly last: string | null;
  /** Base64 of one bit per address, most significant bit of byte 0 = rangeStart. */
  readonly bitmap: string;
}

export function encodeSnapshot(
  range: AllocationRange,
  bits: Uint8Array,
  reserved: ReadonlySet<number>,
  last: number,
): AllocatorSnapshot {
  const allocations = bits.slice();
  for (const offset of reserved) clearBit(allocations, offset);
  return {
    version: 1,
    cidr: formatCidr(range.cidr),
    range: formatAllocationRange(range),
    last:
      last < 0
        ? null
        : formatIp(ipFromBigInt(range.cidr.family, range.rangeStart.value + BigInt(last))),
    bitmap: Buffer.from(allocations).toString('base64'),
  };
}

export function decodeSnapshot(
  range: AllocationRange,
  snapshot: unknown,
): { bits: Uint8Array; last: number } {
  const s = (typeof snapshot === 'object' && snapshot !== null ? snapshot : {}) as Record<
    string,
    unknown
  >;
  const name = `${formatCidr(range.cidr)} range ${formatAllocationRange(range)}`;
  const fail = (why: string) =>
    new NetError('LOOM_INVALID_ALLOCATOR_SNAPSHOT', `cannot restore allocator for ${name}: ${why}`);
  if (s.version !== 1) throw fail(`unsupported snapshot version ${JSON.stringify(s.version)}`);
  if (s.cidr !== formatCidr(range.cidr) || s.range !== formatAllocationRange(range)) {
    throw fail(`snapshot is for ${JSON.stringify(s.cidr)} range ${JSON.stringify(s.range)}`);
  }
  const bits = decodeBitmap(s.bitmap, range.size, fail);
  return { bits, last: decodeLast(s.last, range, fail) };
}

function decodeBitmap(value: unknown, size: number, fail: (why: string) => Error): Uint8Array {
  // Buffer.from(…, 'base64') skips junk silently, so the alphabet is checked first.
  if (
    typeof value !== 'string' ||
    !/^[A-Za-z0-9+/]*={0,2}$/.test(value) ||
    value.length % 4 !== 0
  ) {
    throw fail('bitmap is not base64');
  }
  const bits = new Uint8Array(Buffer.from(value, 'base64'));
  if (bits.length !== bitmapBytes(size)) {
    throw fail(`bitmap has ${bits.length} bytes, the range needs ${bitmapBytes(size)}`);
  }
  const padding = bits.length * 8 - size;
  if (padding > 0 && (bits[bits.length - 1]! & ((1 << padding) - 1)) !== 0) {
    throw fail('bitmap marks addresses past the end of the range');
  }
  return bits;
}

function decodeLast(value: unknown, range: AllocationRange, fail: (why: string) => Error): number {
  if (value === null) return -1;
  const ip = typeof value === 'string' ? tryParseIp(value) : undefined;
  const { rangeStart, rangeEnd } = range;
  if (
    ip?.family !== rangeStart.family ||
    ip.value < rangeStart.value ||
    ip.value > rangeEnd.value
  ) {
    throw fail(`last ${JSON.stringify(value)} is not an address of the range`);
  }
  return Number(ip.value - rangeStart.value);
}

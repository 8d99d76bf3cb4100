import { type AllocationRange, contains, type IpAddress, ipFromBigInt } from '@loom-net/core/net';
import type { RangeSet } from './ipam-config.ts';

/**
 * The next address of `rangeSet` after `last` that is neither reserved (network, broadcast,
 * gateway) nor `used`, wrapping round, as host-local's round-robin: a released address is
 * not handed out again until the others have been, so a stale peer rarely reaches a new pod.
 * Undefined when every address is taken.
 */
export function nextFreeAddress(
  rangeSet: RangeSet,
  used: ReadonlySet<bigint>,
  last: IpAddress | undefined,
): IpAddress | undefined {
  const start = startPosition(rangeSet, last);
  for (let step = 0; step <= rangeSet.length; step++) {
    const index = (start.range + step) % rangeSet.length;
    const range = rangeSet[index]!;
    // The starting range is walked twice: from the cursor to its end first, from its start
    // to the cursor last.
    const from = step === 0 ? start.value : range.rangeStart.value;
    const to = step === rangeSet.length ? start.value - 1n : range.rangeEnd.value;
    const found = firstFree(range, from, to, used);
    if (found !== undefined) return ipFromBigInt(range.cidr.family, found);
  }
  return undefined;
}

function startPosition(
  rangeSet: RangeSet,
  last: IpAddress | undefined,
): { range: number; value: bigint } {
  if (last !== undefined) {
    const index = rangeSet.findIndex((range) => inRange(range, last));
    if (index >= 0) {
      const range = rangeSet[index]!;
      if (last.value < range.rangeEnd.value) return { range: index, value: last.value + 1n };
      const next = (index + 1) % rangeSet.length;
      return { range: next, value: rangeSet[next]!.rangeStart.value };
    }
  }
  return { range: 0, value: rangeSet[0]!.rangeStart.value };
}

function firstFree(
  range: AllocationRange,
  from: bigint,
  to: bigint,
  used: ReadonlySet<bigint>,
): bigint | undefined {
  const reserved = new Set(range.reserved.map((ip) => ip.value));
  for (let value = from; value <= to; value++) {
    if (!used.has(value) && !reserved.has(value)) return value;
  }
  return undefined;
}

export function inRange(range: AllocationRange, ip: IpAddress): boolean {
  return (
    contains(range.cidr, ip) &&
    ip.value >= range.rangeStart.value &&
    ip.value <= range.rangeEnd.value
  );
}

/** Whether `ip` may be handed out from `range` at all (inside it and not reserved). */
export function isAllocatable(range: AllocationRange, ip: IpAddress): boolean {
  return inRange(range, ip) && !range.reserved.some((r) => r.value === ip.value);
}

/** How many addresses of the set are neither reserved nor used. */
export function freeCount(rangeSet: RangeSet, used: ReadonlySet<bigint>): number {
  let free = 0;
  for (const range of rangeSet) {
    let taken = range.reserved.length;
    for (const value of used) {
      if (value >= range.rangeStart.value && value <= range.rangeEnd.value) taken++;
    }
    free += range.size - taken;
  }
  return free;
}

import { formatIp, parseCidr, parseIp, resolveAllocationRange } from '@loom-net/core/net';
import { describe, expect, it } from 'vitest';
import { freeCount, nextFreeAddress } from '../src/next-free-address.ts';

const range = (subnet: string, rangeStart?: string, rangeEnd?: string) =>
  resolveAllocationRange({
    cidr: parseCidr(subnet),
    rangeStart: rangeStart ? parseIp(rangeStart) : undefined,
    rangeEnd: rangeEnd ? parseIp(rangeEnd) : undefined,
  });

const used = (...ips: string[]) => new Set(ips.map((ip) => parseIp(ip).value));
const next = (set: ReturnType<typeof range>[], taken: Set<bigint>, last?: string) => {
  const ip = nextFreeAddress(set, taken, last ? parseIp(last) : undefined);
  return ip ? formatIp(ip) : undefined;
};

describe('nextFreeAddress', () => {
  const slash29 = [range('10.0.0.0/29')]; // .1 gateway, .2-.6 allocatable, .7 broadcast

  it.each([
    { name: 'first address after the gateway', taken: used(), last: undefined, want: '10.0.0.2' },
    {
      name: 'the one after the cursor',
      taken: used('10.0.0.2'),
      last: '10.0.0.2',
      want: '10.0.0.3',
    },
    {
      name: 'skips used addresses',
      taken: used('10.0.0.3', '10.0.0.4'),
      last: '10.0.0.2',
      want: '10.0.0.5',
    },
    {
      name: 'wraps round past the end, skipping the gateway',
      taken: used('10.0.0.6'),
      last: '10.0.0.6',
      want: '10.0.0.2',
    },
    {
      name: 'does not reuse a just-freed address first',
      taken: used('10.0.0.2', '10.0.0.4'),
      last: '10.0.0.4',
      want: '10.0.0.5',
    },
    {
      name: 'finds a hole before the cursor',
      taken: used('10.0.0.2', '10.0.0.4', '10.0.0.5', '10.0.0.6'),
      last: '10.0.0.6',
      want: '10.0.0.3',
    },
    {
      name: 'restarts when the cursor is outside the set',
      taken: used(),
      last: '192.168.0.9',
      want: '10.0.0.2',
    },
    {
      name: 'none when every address is used',
      taken: used('10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5', '10.0.0.6'),
      last: '10.0.0.4',
      want: undefined,
    },
  ])('$name', ({ taken, last, want }) => {
    expect(next(slash29, taken, last)).toBe(want);
  });

  it('moves on to the next range of the set, then wraps to the first', () => {
    const set = [
      range('10.0.0.0/24', '10.0.0.10', '10.0.0.11'),
      range('10.0.1.0/24', '10.0.1.20', '10.0.1.21'),
    ];
    expect(next(set, used(), '10.0.0.11')).toBe('10.0.1.20');
    expect(next(set, used('10.0.0.10'), '10.0.1.21')).toBe('10.0.0.11');
  });

  it('allocates IPv6 from a /64 without walking it', () => {
    expect(next([range('fd00::/64')], used('fd00::2'), 'fd00::2')).toBe('fd00::3');
  });

  it('counts free addresses', () => {
    expect(freeCount(slash29, used())).toBe(5);
    expect(freeCount(slash29, used('10.0.0.2', '10.0.0.6'))).toBe(3);
  });
});

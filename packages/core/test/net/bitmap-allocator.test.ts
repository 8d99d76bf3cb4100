import { describe, expect, it } from 'vitest';
import {
  createBitmapAllocator,
  formatIp,
  isNetError,
  type NetErrorCode,
  parseCidr,
  parseIp,
  RangeExhaustedError,
} from '../../src/net/index.ts';
import { thrown } from './thrown.ts';

const ip = parseIp;
/** 10.244.1.0/29: .0 network, .1 gateway, .2-.6 for pods, .7 broadcast. */
const small = () => createBitmapAllocator({ cidr: parseCidr('10.244.1.0/29') });
const next = (allocator: ReturnType<typeof small>) => formatIp(allocator.allocateNext());

describe('allocateNext', () => {
  it('hands out .2 to .6 of a /29, then names the exhausted range', () => {
    const allocator = small();
    expect([1, 2, 3, 4, 5].map(() => next(allocator))).toEqual([
      '10.244.1.2',
      '10.244.1.3',
      '10.244.1.4',
      '10.244.1.5',
      '10.244.1.6',
    ]);
    expect(allocator.freeCount()).toBe(0);
    const error = thrown(() => allocator.allocateNext());
    expect(error).toBeInstanceOf(RangeExhaustedError);
    expect((error as RangeExhaustedError).range).toBe('10.244.1.1-10.244.1.6');
    expect(error.message).toBe(
      'cannot allocate an address: all 6 addresses of 10.244.1.0/29 range 10.244.1.1-10.244.1.6 are allocated or reserved',
    );
    expect(isNetError(error, 'LOOM_RANGE_EXHAUSTED')).toBe(true);
  });

  it('goes round-robin from the last allocation, like host-local, not lowest-free', () => {
    const allocator = small();
    next(allocator); // .2
    next(allocator); // .3
    allocator.release(ip('10.244.1.2'));
    expect(next(allocator)).toBe('10.244.1.4');
    allocator.allocate(ip('10.244.1.6'));
    // The cursor moved to .6, so the search wraps past .5 to the freed .2 ... then .5.
    expect(next(allocator)).toBe('10.244.1.2');
    expect(next(allocator)).toBe('10.244.1.5');
    expect(() => allocator.allocateNext()).toThrow(RangeExhaustedError);
  });

  it('reuses a freed address once the range is otherwise full', () => {
    const allocator = small();
    for (let i = 0; i < 5; i++) next(allocator);
    allocator.release(ip('10.244.1.4'));
    expect(next(allocator)).toBe('10.244.1.4');
  });

  it('skips reserved addresses in an IPv6 range and starts at ::2', () => {
    const allocator = createBitmapAllocator({
      cidr: parseCidr('fd00:10:244:1::/64'),
      exclude: [ip('fd00:10:244:1::3')],
    });
    expect([next(allocator), next(allocator)]).toEqual(['fd00:10:244:1::2', 'fd00:10:244:1::4']);
    expect(allocator.freeCount()).toBe(65536 - 4);
  });

  it('fills a whole /16 and exhausts it', () => {
    const allocator = createBitmapAllocator({ cidr: parseCidr('10.244.0.0/16') });
    const seen = new Set<bigint>();
    for (let i = 0; i < 65533; i++) seen.add(allocator.allocateNext().value);
    expect(seen.size).toBe(65533);
    expect(allocator.allocatedCount()).toBe(65533);
    expect(() => allocator.allocateNext()).toThrow('range 10.244.0.1-10.244.255.254');
  });
});

describe('allocate, release and queries', () => {
  it('allocates a specific address and reports it', () => {
    const allocator = small();
    expect(formatIp(allocator.allocate(ip('10.244.1.5')))).toBe('10.244.1.5');
    expect(allocator.isAllocated(ip('10.244.1.5'))).toBe(true);
    expect(allocator.isAllocated(ip('10.244.1.4'))).toBe(false);
    expect(allocator.allocatedCount()).toBe(1);
    expect(allocator.freeCount()).toBe(4);
    expect(allocator.allocated().map(formatIp)).toEqual(['10.244.1.5']);
  });

  it.each([
    {
      address: '10.244.1.3',
      code: 'LOOM_ADDRESS_IN_USE',
      message:
        'cannot allocate 10.244.1.3: it is already allocated in 10.244.1.0/29 range 10.244.1.1-10.244.1.6',
    },
    {
      address: '10.244.1.1',
      code: 'LOOM_ADDRESS_RESERVED',
      message:
        'cannot allocate 10.244.1.1: it is reserved in 10.244.1.0/29 range 10.244.1.1-10.244.1.6',
    },
    {
      address: '10.244.1.7',
      code: 'LOOM_OUT_OF_RANGE',
      message:
        'cannot allocate 10.244.1.7: it is outside 10.244.1.0/29 range 10.244.1.1-10.244.1.6',
    },
    {
      address: 'fd00::3',
      code: 'LOOM_OUT_OF_RANGE',
      message: 'cannot allocate fd00::3: it is outside 10.244.1.0/29 range 10.244.1.1-10.244.1.6',
    },
  ] satisfies { address: string; code: NetErrorCode; message: string }[])(
    'refuses to allocate $address ($code)',
    ({ address, code, message }) => {
      const allocator = small();
      allocator.allocate(ip('10.244.1.3'));
      const error = thrown(() => allocator.allocate(ip(address)));
      expect(error.message).toBe(message);
      expect(isNetError(error, code)).toBe(true);
      expect(allocator.allocatedCount()).toBe(1);
    },
  );

  it('release is idempotent and frees the address', () => {
    const allocator = small();
    allocator.allocate(ip('10.244.1.4'));
    expect(allocator.release(ip('10.244.1.4'))).toBe(true);
    expect(allocator.release(ip('10.244.1.4'))).toBe(false);
    expect(allocator.isAllocated(ip('10.244.1.4'))).toBe(false);
    expect(allocator.freeCount()).toBe(5);
  });

  it('never releases the gateway', () => {
    const allocator = small();
    expect(() => allocator.release(ip('10.244.1.1'))).toThrow('it is reserved in');
    expect(allocator.isReserved(ip('10.244.1.1'))).toBe(true);
    expect(allocator.isAllocated(ip('10.244.1.1'))).toBe(false);
    expect(allocator.freeCount()).toBe(5);
  });

  it('lists allocations in address order', () => {
    const allocator = small();
    for (const a of ['10.244.1.6', '10.244.1.2', '10.244.1.4']) allocator.allocate(ip(a));
    expect(allocator.allocated().map(formatIp)).toEqual(['10.244.1.2', '10.244.1.4', '10.244.1.6']);
  });
});

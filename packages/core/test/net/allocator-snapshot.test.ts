import { describe, expect, it } from 'vitest';
import {
  type AllocationRangeOptions,
  createBitmapAllocator,
  formatIp,
  isNetError,
  parseCidr,
  parseIp,
  restoreBitmapAllocator,
} from '../../src/net/index.ts';
import { thrown } from './thrown.ts';

const ip = parseIp;
const options: AllocationRangeOptions = { cidr: parseCidr('10.244.1.0/29') };

function withTwo() {
  const allocator = createBitmapAllocator(options);
  allocator.allocateNext(); // .2
  allocator.allocateNext(); // .3
  return allocator;
}

describe('snapshot', () => {
  it('is compact: the allocations as base64 bits, reserved addresses left out', () => {
    // Offsets 1 and 2 of the range .1-.6 (.2, .3): 0b0110_0000.
    expect(withTwo().snapshot()).toEqual({
      version: 1,
      cidr: '10.244.1.0/29',
      range: '10.244.1.1-10.244.1.6',
      last: '10.244.1.3',
      bitmap: Buffer.from([0x60]).toString('base64'),
    });
    expect(createBitmapAllocator(options).snapshot().last).toBeNull();
  });

  it('restores through JSON with the same allocations and round-robin position', () => {
    const stored = JSON.parse(JSON.stringify(withTwo().snapshot()));
    const restored = restoreBitmapAllocator(options, stored);
    expect(restored.allocated().map(formatIp)).toEqual(['10.244.1.2', '10.244.1.3']);
    expect(restored.freeCount()).toBe(3);
    restored.release(ip('10.244.1.2'));
    expect(formatIp(restored.allocateNext())).toBe('10.244.1.4');
  });

  it('keeps a 65536-address IPv6 range to an 8 KiB bitmap', () => {
    const v6 = { cidr: parseCidr('fd00:10:244:1::/64') };
    const allocator = createBitmapAllocator(v6);
    for (let i = 0; i < 100; i++) allocator.allocateNext();
    const snapshot = allocator.snapshot();
    expect(Buffer.from(snapshot.bitmap, 'base64')).toHaveLength(8192);
    const restored = restoreBitmapAllocator(v6, snapshot);
    expect(restored.allocatedCount()).toBe(100);
    expect(formatIp(restored.allocateNext())).toBe('fd00:10:244:1::66');
  });
});

describe('restoreBitmapAllocator refuses bad state', () => {
  const good = () => withTwo().snapshot();
  it.each([
    { name: 'not an object', snapshot: 'AAA=', why: 'unsupported snapshot version undefined' },
    {
      name: 'another version',
      snapshot: { ...good(), version: 2 },
      why: 'unsupported snapshot version 2',
    },
    {
      name: 'another range',
      snapshot: { ...good(), range: '10.244.1.2-10.244.1.6' },
      why: 'snapshot is for "10.244.1.0/29" range "10.244.1.2-10.244.1.6"',
    },
    {
      name: 'another cidr',
      snapshot: { ...good(), cidr: '10.244.2.0/29' },
      why: 'snapshot is for "10.244.2.0/29" range "10.244.1.1-10.244.1.6"',
    },
    {
      name: 'junk in the bitmap',
      snapshot: { ...good(), bitmap: 'YA=!' },
      why: 'bitmap is not base64',
    },
    {
      name: 'a bitmap of the wrong size',
      snapshot: { ...good(), bitmap: 'YAA=' },
      why: 'bitmap has 2 bytes, the range needs 1',
    },
    {
      name: 'bits past the end of the range',
      snapshot: { ...good(), bitmap: Buffer.from([0x61]).toString('base64') },
      why: 'bitmap marks addresses past the end of the range',
    },
    {
      name: 'a last address outside the range',
      snapshot: { ...good(), last: '10.244.1.7' },
      why: 'last "10.244.1.7" is not an address of the range',
    },
  ])('$name', ({ snapshot, why }) => {
    const error = thrown(() => restoreBitmapAllocator(options, snapshot));
    expect(error.message).toBe(
      `cannot restore allocator for 10.244.1.0/29 range 10.244.1.1-10.244.1.6: ${why}`,
    );
    expect(isNetError(error, 'LOOM_INVALID_ALLOCATOR_SNAPSHOT')).toBe(true);
  });

  it('an allocation that the new options reserve', () => {
    const moved = { ...options, gateway: ip('10.244.1.3') };
    expect(() => restoreBitmapAllocator(moved, good())).toThrow(
      'snapshot of 10.244.1.0/29 range 10.244.1.1-10.244.1.6 allocates 10.244.1.3, which is reserved',
    );
  });
});

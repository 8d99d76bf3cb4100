import { describe, expect, it } from 'vitest';
import {
  formatCidr,
  isNetError,
  parseCidr,
  splitCidr,
  subnetAt,
  subnetCount,
  subnetIndex,
} from '../../src/net/index.ts';
import { thrown } from './thrown.ts';

const cidr = (text: string) => parseCidr(text);

describe('splitCidr', () => {
  it.each([
    {
      cluster: '10.244.0.0/16',
      mask: 24,
      count: 256,
      first: ['10.244.0.0/24', '10.244.1.0/24', '10.244.2.0/24'],
      last: '10.244.255.0/24',
    },
    {
      cluster: 'fd00:10:244::/56',
      mask: 64,
      count: 256,
      first: ['fd00:10:244::/64', 'fd00:10:244:1::/64', 'fd00:10:244:2::/64'],
      last: 'fd00:10:244:ff::/64',
    },
    {
      cluster: '10.244.1.0/24',
      mask: 24,
      count: 1,
      first: ['10.244.1.0/24'],
      last: '10.244.1.0/24',
    },
    {
      cluster: '10.244.1.0/24',
      mask: 26,
      count: 4,
      first: ['10.244.1.0/26', '10.244.1.64/26', '10.244.1.128/26'],
      last: '10.244.1.192/26',
    },
  ])('$cluster into /$mask', ({ cluster, mask, count, first, last }) => {
    const blocks = splitCidr(cidr(cluster), mask).map(formatCidr);
    expect(blocks).toHaveLength(count);
    expect(blocks.slice(0, first.length)).toEqual(first);
    expect(blocks.at(-1)).toBe(last);
    expect(subnetCount(cidr(cluster), mask)).toBe(BigInt(count));
  });

  it.each([
    {
      cluster: '10.244.0.0/16',
      mask: 15,
      message:
        'cannot split 10.244.0.0/16 into /15 blocks: the new prefix must be in 16-32 for IPv4',
    },
    {
      cluster: '10.244.0.0/16',
      mask: 33,
      message:
        'cannot split 10.244.0.0/16 into /33 blocks: the new prefix must be in 16-32 for IPv4',
    },
    {
      cluster: 'fd00::/48',
      mask: 129,
      message: 'cannot split fd00::/48 into /129 blocks: the new prefix must be in 48-128 for IPv6',
    },
    {
      cluster: '10.0.0.0/8',
      mask: 25,
      message: 'cannot split 10.0.0.0/8 into /25 blocks: that makes 131072, more than 65536',
    },
    {
      cluster: 'fd00::/64',
      mask: 120,
      message:
        'cannot split fd00::/64 into /120 blocks: that makes 72057594037927936, more than 65536',
    },
  ])('refuses $cluster into /$mask', ({ cluster, mask, message }) => {
    const error = thrown(() => splitCidr(cidr(cluster), mask));
    expect(error.message).toBe(message);
    expect(isNetError(error, 'LOOM_OUT_OF_RANGE')).toBe(true);
  });

  it('takes a lower limit', () => {
    expect(() => splitCidr(cidr('10.244.0.0/16'), 24, { maxSubnets: 100 })).toThrow(
      'that makes 256, more than 100',
    );
  });
});

describe('subnetAt and subnetIndex', () => {
  it.each([
    { cluster: '10.244.0.0/16', mask: 24, index: 1, block: '10.244.1.0/24' },
    { cluster: '10.244.0.0/16', mask: 24, index: 3, block: '10.244.3.0/24' },
    { cluster: '10.244.0.0/16', mask: 24, index: -1, block: '10.244.255.0/24' },
    { cluster: '10.244.0.0/16', mask: 16, index: 0, block: '10.244.0.0/16' },
    { cluster: 'fd00:10:244::/56', mask: 64, index: 2, block: 'fd00:10:244:2::/64' },
    { cluster: 'fd00::/8', mask: 64, index: 1n << 40n, block: 'fd00:100::/64' },
  ])('block $index of $cluster at /$mask is $block', ({ cluster, mask, index, block }) => {
    const subnet = subnetAt(cidr(cluster), mask, index);
    expect(formatCidr(subnet)).toBe(block);
    const count = subnetCount(cidr(cluster), mask);
    const expected = BigInt(index) < 0n ? count + BigInt(index) : BigInt(index);
    expect(subnetIndex(cidr(cluster), subnet)).toBe(expected);
  });

  it.each([
    {
      index: 256,
      message: 'cannot take /24 block 256 of 10.244.0.0/16: it has 256 (index -256 to 255)',
    },
    {
      index: -257,
      message: 'cannot take /24 block -257 of 10.244.0.0/16: it has 256 (index -256 to 255)',
    },
  ])('refuses block $index', ({ index, message }) => {
    expect(() => subnetAt(cidr('10.244.0.0/16'), 24, index)).toThrow(message);
  });

  it.each([
    { subnet: '10.245.0.0/24', message: '10.245.0.0/24 is not a block of 10.244.0.0/16' },
    { subnet: 'fd00::/64', message: 'fd00::/64 is not a block of 10.244.0.0/16' },
    { subnet: '10.0.0.0/8', message: '10.0.0.0/8 is not a block of 10.244.0.0/16' },
  ])('subnetIndex refuses $subnet', ({ subnet, message }) => {
    expect(() => subnetIndex(cidr('10.244.0.0/16'), cidr(subnet))).toThrow(message);
  });
});

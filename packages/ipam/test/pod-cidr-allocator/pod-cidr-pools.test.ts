import { formatCidr, parseCidr } from '@loom-net/core';
import { describe, expect, it } from 'vitest';
import { createPodCidrPools, type PoolSpec } from '../../src/pod-cidr-allocator/index.ts';

const v4 = (cidr: string, nodeMask: number): PoolSpec => ({ cidr: parseCidr(cidr), nodeMask });
const cidrs = (...texts: string[]) => texts.map((t) => parseCidr(t));

function allocate(pools: ReturnType<typeof createPodCidrPools>, node: string): string[] | string {
  const result = pools.allocate(node);
  if (!result.ok) {
    const { cidr, nodeMask, used, total } = result.exhausted;
    return `full: ${formatCidr(cidr)} /${nodeMask} ${used}/${total}`;
  }
  return result.podCidrs.map(formatCidr);
}

describe('createPodCidrPools', () => {
  it('hands out the first free blocks in order', () => {
    const pools = createPodCidrPools([v4('10.244.0.0/16', 24)]);
    expect(allocate(pools, 'node1')).toEqual(['10.244.0.0/24']);
    expect(allocate(pools, 'node2')).toEqual(['10.244.1.0/24']);
  });

  it.each([
    {
      name: 'exact blocks',
      held: ['10.244.0.0/24', '10.244.2.0/24'],
      next: ['10.244.1.0/24', '10.244.3.0/24'],
    },
    {
      name: 'a larger CIDR covering several blocks',
      held: ['10.244.0.0/23'],
      next: ['10.244.2.0/24', '10.244.3.0/24'],
    },
    {
      name: 'a smaller CIDR inside a block',
      held: ['10.244.0.128/25'],
      next: ['10.244.1.0/24', '10.244.2.0/24'],
    },
    {
      name: 'a CIDR outside the pool (ignored)',
      held: ['10.99.0.0/24'],
      next: ['10.244.0.0/24', '10.244.1.0/24'],
    },
  ])('never hands out a block in use: $name', ({ held, next }) => {
    const pools = createPodCidrPools([v4('10.244.0.0/16', 24)]);
    pools.observe('old', cidrs(...held));
    expect([allocate(pools, 'a'), allocate(pools, 'b')]).toEqual(next.map((c) => [c]));
  });

  it('gives a dual-stack node one block per family, all or nothing', () => {
    const pools = createPodCidrPools([v4('10.244.0.0/23', 24), v4('fd00:10:244::/63', 64)]);
    pools.observe('old', cidrs('fd00:10:244::/64'));
    expect(allocate(pools, 'a')).toEqual(['10.244.0.0/24', 'fd00:10:244:1::/64']);
    expect(allocate(pools, 'b')).toBe('full: fd00:10:244::/63 /64 2/2');
    // The IPv4 block was not taken by the failed attempt.
    expect(pools.usage().map((u) => u.used)).toEqual([1, 2]);
  });

  it('reports a full range with its usage, and reuses a released block', () => {
    const pools = createPodCidrPools([v4('10.244.0.0/30', 31)]);
    expect(allocate(pools, 'a')).toEqual(['10.244.0.0/31']);
    expect(allocate(pools, 'b')).toEqual(['10.244.0.2/31']);
    expect(allocate(pools, 'c')).toBe('full: 10.244.0.0/30 /31 2/2');
    pools.release('a');
    expect(allocate(pools, 'c')).toEqual(['10.244.0.0/31']);
  });

  it('continues after the last block handed out, so a just-freed block is not reused at once', () => {
    const pools = createPodCidrPools([v4('10.244.0.0/22', 24)]);
    allocate(pools, 'a');
    allocate(pools, 'b');
    pools.release('a');
    expect(allocate(pools, 'c')).toEqual(['10.244.2.0/24']);
  });

  it('reports a block held by two nodes', () => {
    const pools = createPodCidrPools([v4('10.244.0.0/16', 24)]);
    pools.observe('node1', cidrs('10.244.5.0/24'));
    expect(pools.observe('node2', cidrs('10.244.5.0/24'))).toEqual([
      '10.244.5.0/24 is used by both node1 and node2',
    ]);
    pools.release('node2');
    expect(pools.usage()[0]?.used).toBe(1);
  });
});

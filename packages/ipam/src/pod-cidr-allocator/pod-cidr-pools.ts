import {
  type Cidr,
  cidrOf,
  containsCidr,
  firstAddress,
  formatCidr,
  overlaps,
  subnetAt,
  subnetCount,
  subnetIndex,
} from '@loom-net/core';

/** A cluster CIDR and the size of the block each node gets from it. */
export interface PoolSpec {
  readonly cidr: Cidr;
  readonly nodeMask: number;
}

export interface PoolUsage {
  readonly cidr: Cidr;
  readonly nodeMask: number;
  readonly used: number;
  readonly total: number;
}

export type Allocation =
  | { readonly ok: true; readonly podCidrs: readonly Cidr[] }
  | { readonly ok: false; readonly exhausted: PoolUsage };

/** Which blocks of the cluster CIDR(s) are taken, and by which node. Pure, in memory. */
export interface PodCidrPools {
  /**
   * Records the pod CIDRs a node already has (assigned by anyone); blocks they cover are
   * never handed out. Returns conflicts: blocks that another node already holds.
   */
  observe(node: string, podCidrs: readonly Cidr[]): string[];
  /** Frees the blocks `node` holds (its Node was deleted, or an assignment failed). */
  release(node: string): void;
  /** Reserves one free block in every pool for `node`: all (dual-stack) or nothing. */
  allocate(node: string): Allocation;
  usage(): PoolUsage[];
}

interface Pool extends PoolSpec {
  readonly total: number;
  readonly owners: Map<number, string>;
  /** Where the next search starts: just after the last block handed out, as kube-controller-manager. */
  cursor: number;
}

export function createPodCidrPools(specs: readonly PoolSpec[]): PodCidrPools {
  const pools: Pool[] = specs.map((spec) => ({
    ...spec,
    total: Number(subnetCount(spec.cidr, spec.nodeMask)),
    owners: new Map(),
    cursor: 0,
  }));
  const held = new Map<string, Array<{ pool: Pool; index: number }>>();

  function take(node: string, pool: Pool, index: number): string | undefined {
    const owner = pool.owners.get(index);
    if (owner !== undefined && owner !== node) {
      return `${formatCidr(subnetAt(pool.cidr, pool.nodeMask, index))} is used by both ${owner} and ${node}`;
    }
    if (owner === node) return undefined;
    pool.owners.set(index, node);
    held.set(node, [...(held.get(node) ?? []), { pool, index }]);
    return undefined;
  }

  return {
    observe(node, podCidrs) {
      const conflicts: string[] = [];
      for (const cidr of podCidrs) {
        for (const pool of pools) {
          for (const index of coveredBlocks(pool, cidr)) {
            const conflict = take(node, pool, index);
            if (conflict) conflicts.push(conflict);
          }
        }
      }
      return conflicts;
    },
    release(node) {
      for (const { pool, index } of held.get(node) ?? []) {
        if (pool.owners.get(index) === node) pool.owners.delete(index);
      }
      held.delete(node);
    },
    allocate(node) {
      const picks: Array<{ pool: Pool; index: number }> = [];
      for (const pool of pools) {
        const index = nextFree(pool);
        if (index === undefined) return { ok: false, exhausted: usageOf(pool) };
        picks.push({ pool, index });
      }
      for (const { pool, index } of picks) {
        take(node, pool, index);
        pool.cursor = (index + 1) % pool.total;
      }
      return {
        ok: true,
        podCidrs: picks.map(({ pool, index }) => subnetAt(pool.cidr, pool.nodeMask, index)),
      };
    },
    usage: () => pools.map(usageOf),
  };
}

function usageOf(pool: Pool): PoolUsage {
  return { cidr: pool.cidr, nodeMask: pool.nodeMask, used: pool.owners.size, total: pool.total };
}

function nextFree(pool: Pool): number | undefined {
  if (pool.owners.size >= pool.total) return undefined;
  for (let step = 0; step < pool.total; step++) {
    const index = (pool.cursor + step) % pool.total;
    if (!pool.owners.has(index)) return index;
  }
  return undefined;
}

/** The pool's blocks that `cidr` overlaps (a node CIDR may be smaller or larger than a block). */
function coveredBlocks(pool: Pool, cidr: Cidr): number[] {
  if (cidr.family !== pool.cidr.family || !overlaps(pool.cidr, cidr)) return [];
  if (containsCidr(cidr, pool.cidr)) return Array.from({ length: pool.total }, (_, i) => i);
  if (cidr.prefix >= pool.nodeMask) {
    return [Number(subnetIndex(pool.cidr, cidrOf(firstAddress(cidr), pool.nodeMask)))];
  }
  const first = Number(subnetIndex(pool.cidr, cidrOf(firstAddress(cidr), pool.nodeMask)));
  return Array.from({ length: 2 ** (pool.nodeMask - cidr.prefix) }, (_, i) => first + i);
}

import { formatCidr, type MetricsRegistry } from '@loom-net/core';
import type { PoolUsage } from './pod-cidr-pools.ts';

export type AllocatorMetrics = ReturnType<typeof allocatorMetrics>;

/** The allocator's own metrics; `leader`, `workqueue_*` and `reconcile_*` are core's
 * controller metrics. */
export function allocatorMetrics(registry: MetricsRegistry) {
  const blocks = registry.gauge('blocks', 'Node-sized blocks of each cluster CIDR, by state.', [
    'cidr',
    'state',
  ]);
  return {
    assignments: registry.counter('assignments_total', 'Pod CIDRs assigned to Nodes.'),
    rangeFull: registry.counter(
      'range_full_total',
      'Nodes left without a pod CIDR because a cluster CIDR was full.',
    ),
    observe(usage: readonly PoolUsage[]): void {
      for (const pool of usage) {
        blocks.set({ cidr: formatCidr(pool.cidr), state: 'used' }, pool.used);
        blocks.set({ cidr: formatCidr(pool.cidr), state: 'free' }, pool.total - pool.used);
      }
    },
  };
}

import type { MetricsRegistry } from '@loom-net/core';
import type { RoutesOutcome } from './route-reconciler.ts';

export type AgentMetrics = ReturnType<typeof createAgentMetrics>;

/** The agent's own Prometheus metrics, `loom_route_agent_*` with the registry's prefix; the
 * work queue and reconcile ones (`workqueue_*`, `reconcile_*`) are core's controller metrics. */
export function createAgentMetrics(registry: MetricsRegistry) {
  const metrics = {
    routes: registry.gauge(
      'routes',
      "Routes to other nodes' pod CIDRs that the agent has programmed, by path and family.",
      ['path', 'family'],
    ),
    nodes: registry.gauge('nodes', 'Other nodes with a pod CIDR, by routing state.', ['state']),
    conflicts: registry.gauge(
      'route_conflicts',
      'Wanted routes left out because a route the agent does not own holds the destination.',
    ),
    routeChanges: registry.counter(
      'route_changes_total',
      'Route changes applied, by action (add, replace, delete); non-zero on a resync means drift was repaired.',
      ['action'],
    ),
    informerErrors: registry.counter(
      'informer_errors_total',
      'Node list/watch failures (each is retried).',
    ),
  };
  return {
    ...metrics,
    recordRoutes(outcome: RoutesOutcome): void {
      metrics.routes.reset();
      for (const route of outcome.desired.routes) {
        if (outcome.plan.conflicts.some((c) => c.route === route)) continue;
        const path = route.device ? 'vxlan' : 'direct';
        metrics.routes.inc({ path, family: String(route.dst.family) });
      }
      const total = outcome.desired.nodes.length;
      metrics.nodes.set({ state: 'programmed' }, outcome.programmed.size);
      metrics.nodes.set({ state: 'unrouted' }, total - outcome.programmed.size);
      metrics.conflicts.set(outcome.plan.conflicts.length);
      for (const [action, count] of Object.entries(outcome.plan.routeChanges)) {
        if (count > 0) metrics.routeChanges.inc({ action }, count);
      }
    },
  };
}

import {
  formatCidr,
  type HealthCheck,
  type HealthCheckResult,
  type Informer,
  type Node,
} from '@loom-net/core';
import type { AgentStatus } from './agent-status.ts';
import type { NodeView } from './node-view.ts';

export interface AgentHealthInput {
  readonly informer: Informer<Node>;
  readonly nodeName: string;
  readonly nodes: () => NodeView[];
  readonly status: () => AgentStatus;
  /** Whether the agent does node setup (CNI config, masquerade). */
  readonly setup: boolean;
}

/**
 * `/readyz`: the Node list is synced, a route to every other node's pod CIDR(s) is
 * programmed (as of the last reconcile, against the Nodes known now), and the node is set
 * up. None is `hard`: a not-ready agent keeps retrying and must not be restarted for it.
 */
export function agentHealthChecks(input: AgentHealthInput): HealthCheck[] {
  const checks: HealthCheck[] = [
    { name: 'node-informer-synced', check: () => input.informer.hasSynced() },
    { name: 'routes-programmed', check: () => routesProgrammed(input) },
  ];
  if (input.setup) checks.push({ name: 'node-setup', check: () => nodeSetupDone(input.status()) });
  return checks;
}

function routesProgrammed(input: AgentHealthInput): HealthCheckResult {
  const { routes, routesError } = input.status();
  if (routesError) return { ok: false, message: routesError.message };
  if (routes === undefined) return { ok: false, message: 'no reconcile yet' };
  const known = input
    .nodes()
    .filter((node) => node.name !== input.nodeName && node.podCidrs.length > 0);
  const missing = known.filter((node) => !routes.programmed.has(node.name));
  const message = `${known.length - missing.length} of ${known.length} nodes programmed`;
  if (missing.length === 0) return { ok: true, message };
  const first = missing[0]?.name ?? '';
  const conflict = routes.plan.conflicts.find(({ route }) => route.node === first);
  const why = conflict
    ? `${formatCidr(conflict.route.dst)} is held by a route the agent does not own`
    : (routes.desired.nodes.find((node) => node.node === first)?.unrouted[0] ??
      'not reconciled yet');
  return { ok: false, message: `${message}; ${first}: ${why}` };
}

function nodeSetupDone(status: AgentStatus): HealthCheckResult {
  if (status.setupError) return { ok: false, message: status.setupError.message };
  if (status.setup === undefined) return { ok: false, message: 'no reconcile yet' };
  const { conflist } = status.setup;
  if (typeof conflist === 'object')
    return { ok: false, message: `CNI config: waiting: ${conflist.waiting}` };
  return { ok: true, message: `CNI config ${conflist}` };
}

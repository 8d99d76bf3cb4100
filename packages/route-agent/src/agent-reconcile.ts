import type { Logger } from '@loom-net/core';
import type { AgentMetrics } from './agent-metrics.ts';
import type { AgentStatus } from './agent-status.ts';
import type { NodeSetup } from './node-setup.ts';
import type { NodeView } from './node-view.ts';
import type { RouteReconciler, RoutesOutcome } from './route-reconciler.ts';

/** The work queue's keys: all Nodes feed one routing pass; this Node feeds its setup. */
export const ROUTES = 'routes';
export const SETUP = 'node-setup';

export interface AgentReconcileInput {
  readonly nodeName: string;
  readonly resyncMs: number;
  readonly logger: Logger;
  readonly metrics: AgentMetrics;
  /** The informer's Nodes, as the agent routes them. */
  readonly nodes: () => NodeView[];
  readonly reconciler: RouteReconciler;
  readonly setup: NodeSetup | undefined;
  readonly onRoutesApplied?: (outcome: RoutesOutcome) => void;
}

/**
 * The agent's reconcile for each key: runs it, records its outcome (or error) for the health
 * checks and metrics, logs changes and, when they change, issues. Every success asks to run
 * again after the resync period, which is how drift is repaired with no Node change. Its
 * duration and failures are the controller's standard metrics.
 */
export function createAgentReconcile(input: AgentReconcileInput) {
  const { logger, metrics } = input;
  const reporter = createIssueReporter(logger);
  let status: AgentStatus = {};

  async function reconcile(key: string) {
    try {
      if (key === ROUTES) await reconcileRoutes();
      else if (key === SETUP && input.setup) await reconcileSetup(input.setup);
    } catch (error) {
      status =
        key === ROUTES
          ? { ...status, routesError: error as Error }
          : { ...status, setupError: error as Error };
      throw error;
    }
    return { requeueAfterMs: input.resyncMs };
  }

  async function reconcileRoutes(): Promise<void> {
    const outcome = await input.reconciler.reconcile(input.nodes());
    status = { ...status, routes: outcome, routesError: undefined };
    metrics.recordRoutes(outcome);
    const { routeChanges, ipLines, fdbLines } = outcome.plan;
    if (ipLines.length + fdbLines.length > 0) {
      logger.info(
        { ...routeChanges, ipLines: ipLines.length, fdbLines: fdbLines.length },
        'routes programmed',
      );
      logger.debug({ ipLines, fdbLines }, 'applied');
    }
    const conflicts = outcome.plan.conflicts.map(
      ({ route, foreign }) =>
        `route to ${route.node}'s pod CIDR is held by a route with protocol ${foreign.protocol || 'boot'}: not replacing it`,
    );
    reporter.report('routes', [...outcome.desired.issues, ...conflicts]);
    input.onRoutesApplied?.(outcome);
  }

  async function reconcileSetup(nodeSetup: NodeSetup): Promise<void> {
    const self = input.nodes().find((node) => node.name === input.nodeName);
    const outcome = await nodeSetup.reconcile(self);
    status = { ...status, setup: outcome, setupError: undefined };
    const changed =
      outcome.forwarding.length > 0 ||
      outcome.masquerade !== 'unchanged' ||
      outcome.pluginsCopied.length > 0 ||
      outcome.conflist === 'written';
    if (changed) logger.info({ ...outcome }, 'node set up');
    reporter.report(
      'setup',
      typeof outcome.conflist === 'object'
        ? [`CNI config: waiting: ${outcome.conflist.waiting}`]
        : [],
    );
  }

  return { reconcile, status: (): AgentStatus => status };
}

/** Logs a key's issues when they change, not on every resync. */
function createIssueReporter(logger: Logger) {
  const last = new Map<string, string>();
  return {
    report(key: string, issues: readonly string[]): void {
      const text = issues.join('\n');
      if ((last.get(key) ?? '') === text) return;
      last.set(key, text);
      if (issues.length > 0) logger.warn({ issues }, `${key}: ${issues.length} issue(s)`);
      else logger.info(`${key}: no issues`);
    },
  };
}

import type { NodeSetupOutcome } from './node-setup.ts';
import type { RoutesOutcome } from './route-reconciler.ts';

/** What the last reconcile of each key left behind, for health checks and tests. */
export interface AgentStatus {
  readonly routes?: RoutesOutcome;
  readonly routesError?: Error;
  readonly setup?: NodeSetupOutcome;
  readonly setupError?: Error;
}

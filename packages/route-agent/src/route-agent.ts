import {
  type CommandRunner,
  controllerSource,
  createController,
  createInformer,
  type HealthCheck,
  type InformerOptions,
  type KubeClient,
  type Logger,
  type MetricsRegistry,
  type Node,
  resourcePath,
  slimNode,
} from '@loom-net/core';
import { agentHealthChecks } from './agent-health.ts';
import { createAgentMetrics } from './agent-metrics.ts';
import { createAgentReconcile, ROUTES, SETUP } from './agent-reconcile.ts';
import type { AgentStatus } from './agent-status.ts';
import type { RoutingMode, VxlanSettings } from './desired-routing.ts';
import { createNodeSetup, type NodeSetupOptions } from './node-setup.ts';
import { createNodeViewCache, type NodeView, routingFingerprint } from './node-view.ts';
import { createRouteApplier } from './route-applier.ts';
import { createRouteReconciler, type RoutesOutcome } from './route-reconciler.ts';

/** Node setup as the agent runs it; the agent supplies the runner, netns, mode and host reads. */
export type AgentNodeSetup = Omit<NodeSetupOptions, 'runner' | 'netns' | 'readHost' | 'mode'>;

export interface RouteAgentOptions {
  readonly client: KubeClient;
  readonly nodeName: string;
  readonly runner: CommandRunner;
  /** Program a named netns instead of the agent's own (tests, benchmarks). */
  readonly netns?: string;
  readonly mode: RoutingMode;
  /** Re-read the kernel and repair drift this often, even when no Node changed. */
  readonly resyncMs: number;
  readonly protocol: number;
  readonly vxlan: VxlanSettings;
  readonly bridge: string;
  /** Absent: routes only (no forwarding, masquerade or CNI install). */
  readonly setup?: AgentNodeSetup;
  readonly logger: Logger;
  readonly metrics: MetricsRegistry;
  /** Informer tuning (tests shorten backoffs). */
  readonly informer?: Partial<Omit<InformerOptions<Node>, 'client' | 'path'>>;
  /** Called after every successful routes reconcile (benchmarks, tests). */
  readonly onRoutesApplied?: (outcome: RoutesOutcome) => void;
}

export interface RouteAgent {
  /** Starts the Node informer; resolves once it has listed and the first reconciles are queued. */
  start(): Promise<void>;
  /** Stops watching and waits for an in-flight reconcile. Kernel state stays: a restarting
   * agent must not interrupt pod traffic. */
  stop(): Promise<void>;
  readonly checks: readonly HealthCheck[];
  status(): AgentStatus;
  /** The Nodes the agent currently knows, as it routes them. */
  nodes(): NodeView[];
  /** Resolves when no reconcile is queued or running. */
  idle(): Promise<void>;
}

/**
 * The route agent as a core controller over Nodes: every Node feeds one `routes` key (all
 * routes are one pass over all Nodes), this Node also feeds `node-setup`. Both run at start,
 * even with no Node, so stale routes go; every success runs again after the resync period.
 */
export function createRouteAgent(options: RouteAgentOptions): RouteAgent {
  const { logger, nodeName } = options;
  const metrics = createAgentMetrics(options.metrics);
  const informer = createInformer<Node>({
    ...options.informer,
    client: options.client,
    path: resourcePath({ version: 'v1', plural: 'nodes' }),
    // Routes need a Node's spec and addresses, not the kubelet's status: a third of the RSS.
    transform: slimNode,
    logger,
  });
  informer.on('error', () => metrics.informerErrors.inc());
  const viewOf = createNodeViewCache();
  const nodes = (): NodeView[] => informer.list().map(viewOf);
  const applier = createRouteApplier({
    runner: options.runner,
    netns: options.netns,
    vxlanDevice: options.vxlan.device,
  });
  const reconciler = createRouteReconciler({ ...options, applier });
  const setup =
    options.setup &&
    createNodeSetup({
      ...options.setup,
      runner: options.runner,
      netns: options.netns,
      mode: options.mode,
      readHost: () => applier.readHost(),
    });
  const work = createAgentReconcile({
    nodeName,
    resyncMs: options.resyncMs,
    logger,
    metrics,
    nodes,
    reconciler,
    setup,
    onRoutesApplied: options.onRoutesApplied,
  });
  const ownKeys = setup ? [ROUTES, SETUP] : [ROUTES];

  const controller = createController({
    name: 'route-agent',
    sources: [
      controllerSource(informer, {
        keys: (node) => (node.metadata?.name === nodeName ? ownKeys : ROUTES),
        // Heartbeats (status conditions, leases) change nothing routing reads.
        changed: (old, node) =>
          routingFingerprint(viewOf(old)) !== routingFingerprint(viewOf(node)),
      }),
    ],
    startKeys: ownKeys,
    reconcile: (key) => work.reconcile(key),
    rateLimiter: { baseDelayMs: 100, maxDelayMs: Math.min(options.resyncMs, 30_000) },
    // Two fixed keys: each gets its own series.
    metrics: { registry: options.metrics, keyLabel: (key) => key },
    logger,
  });

  return {
    async start() {
      await controller.start();
      logger.info({ nodes: informer.list().length }, 'node informer synced');
    },
    stop: () => controller.stop(),
    checks: agentHealthChecks({
      informer,
      nodeName,
      nodes,
      status: work.status,
      setup: setup !== undefined,
    }),
    status: work.status,
    nodes,
    idle: () => controller.idle(),
  };
}

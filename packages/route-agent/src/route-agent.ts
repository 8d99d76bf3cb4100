import {
  type CommandRunner,
  createInformer,
  createWorkQueue,
  type HealthCheck,
  type Informer,
  type InformerOptions,
  type KubeClient,
  type Logger,
  type MetricsRegistry,
  resourcePath,
} from '@loom-net/core';
import { agentHealthChecks } from './agent-health.ts';
import { type AgentMetrics, createAgentMetrics } from './agent-metrics.ts';
import { createAgentReconcile, ROUTES, SETUP } from './agent-reconcile.ts';
import type { RoutingMode, VxlanSettings } from './desired-routing.ts';
import { createNodeSetup, type NodeSetupOptions, type NodeSetupOutcome } from './node-setup.ts';
import {
  createNodeViewCache,
  type NodeObject,
  type NodeView,
  routingFingerprint,
} from './node-view.ts';
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
  readonly informer?: Partial<Omit<InformerOptions, 'client' | 'path'>>;
  /** Called after every successful routes reconcile (benchmarks, tests). */
  readonly onRoutesApplied?: (outcome: RoutesOutcome) => void;
}

/** What the last reconcile of each key left behind, for health checks and tests. */
export interface AgentStatus {
  readonly routes?: RoutesOutcome;
  readonly routesError?: Error;
  readonly setup?: NodeSetupOutcome;
  readonly setupError?: Error;
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

export function createRouteAgent(options: RouteAgentOptions): RouteAgent {
  const { logger, nodeName } = options;
  const metrics = createAgentMetrics(options.metrics);
  const informer = createInformer<NodeObject>({
    ...options.informer,
    client: options.client,
    path: resourcePath({ version: 'v1', plural: 'nodes' }),
    logger,
  });
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

  const queue = createWorkQueue({
    name: 'route-agent',
    reconcile: (key) => work.reconcile(key),
    logger,
    rateLimiter: { baseDelayMs: 100, maxDelayMs: Math.min(options.resyncMs, 30_000) },
    metrics: { depth: (depth) => metrics.queueDepth.set(depth) },
  });
  watchNodes(informer, nodeName, viewOf, metrics, (keys) => {
    for (const key of keys) if (key !== SETUP || setup) queue.add(key);
  });

  return {
    async start() {
      informer.start();
      await informer.synced;
      logger.info({ nodes: informer.list().length }, 'node informer synced');
      queue.start();
      queue.add(ROUTES);
      if (setup) queue.add(SETUP);
    },
    async stop() {
      await informer.stop();
      await queue.shutdown({ abort: true });
    },
    checks: agentHealthChecks({
      informer,
      nodeName,
      nodes,
      status: work.status,
      setup: setup !== undefined,
    }),
    status: work.status,
    nodes,
    idle: () => queue.idle(),
  };
}

/** Node events → reconcile keys. Heartbeat updates (status conditions, leases) change nothing
 * routing reads, so they queue nothing. */
function watchNodes(
  informer: Informer<NodeObject>,
  nodeName: string,
  viewOf: (node: NodeObject) => NodeView,
  metrics: AgentMetrics,
  enqueue: (keys: string[]) => void,
): void {
  const keysFor = (node: NodeObject): string[] =>
    node.metadata?.name === nodeName ? [ROUTES, SETUP] : [ROUTES];
  informer.on('add', (node) => enqueue(keysFor(node)));
  informer.on('delete', (node) => enqueue(keysFor(node)));
  informer.on('update', (node, old) => {
    if (routingFingerprint(viewOf(node)) !== routingFingerprint(viewOf(old)))
      enqueue(keysFor(node));
  });
  informer.on('error', () => metrics.informerErrors.inc());
}

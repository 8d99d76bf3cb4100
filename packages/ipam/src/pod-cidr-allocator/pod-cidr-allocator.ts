import {
  type Controller,
  controllerSource,
  createController,
  createEventRecorder,
  createInformer,
  type HealthCheck,
  type HealthCheckResult,
  type InformerOptions,
  type KubeClient,
  type KubeLogger,
  type LeaderElectionOptions,
  type MetricsRegistry,
  type Node,
  slimNode,
} from '@loom-net/core';
import { type AllocationTerm, NODES, startAllocationTerm } from './allocation-term.ts';
import { allocatorMetrics } from './allocator-metrics.ts';
import { allocationState } from './node-cidrs.ts';
import type { PoolSpec } from './pod-cidr-pools.ts';

export const ALLOCATOR_COMPONENT = 'loom-pod-cidr-allocator';

export interface PodCidrAllocatorOptions {
  readonly client: KubeClient;
  /** One pool per cluster CIDR (dual-stack: one per family; every node gets a block of each). */
  readonly pools: readonly PoolSpec[];
  /** This candidate for leadership (hostname, pod name). */
  readonly identity: string;
  readonly leaseNamespace?: string;
  readonly leaseName?: string;
  readonly logger: KubeLogger;
  readonly metrics?: MetricsRegistry;
  /** How long a node the range had no room for waits before a retry; a Node deletion retries at once. */
  readonly retryFullMs?: number;
  readonly leaderElection?: Pick<
    LeaderElectionOptions,
    'leaseDurationSeconds' | 'renewDeadlineMs' | 'retryPeriodMs'
  >;
  readonly informer?: Partial<Omit<InformerOptions<Node>, 'client' | 'path'>>;
}

export interface PodCidrAllocator {
  /** Campaigns for the lease; allocates while leading. */
  start(): void;
  /** Stops allocating and releases the lease. */
  stop(): Promise<void>;
  isLeader(): boolean;
  /** Resolves once nothing is queued or running in the current term (tests). */
  idle(): Promise<void>;
  readonly checks: readonly HealthCheck[];
}

/**
 * Assigns `spec.podCIDR(s)` to Nodes that have none, for clusters where kube-controller-manager
 * does not (`--allocate-node-cidrs=false`): a leader-elected core controller over Nodes, one
 * key per Node. Each term starts from a fresh list of every Node (see `startAllocationTerm`);
 * an assignment is a PUT guarded by the Node's resourceVersion, so a Node changed meanwhile is
 * re-read, never overwritten.
 */
export function createPodCidrAllocator(options: PodCidrAllocatorOptions): PodCidrAllocator {
  const { client, logger } = options;
  const metrics = options.metrics && allocatorMetrics(options.metrics);
  const events = createEventRecorder({ client, component: ALLOCATOR_COMPONENT, logger });
  // It reads and writes spec.podCIDRs only; the kubelet's status is most of a Node's bytes.
  const nodes = createInformer<Node>({
    ...options.informer,
    client,
    path: NODES,
    transform: slimNode,
    logger,
  });
  let term: AllocationTerm | undefined;

  const controller: Controller = createController({
    name: 'pod-cidr-allocator',
    sources: [
      controllerSource(nodes, {
        changed: (old, node) => allocationState(old) !== allocationState(node),
      }),
    ],
    leaderElection: {
      ...options.leaderElection,
      client,
      namespace: options.leaseNamespace ?? 'kube-system',
      name: options.leaseName ?? 'loom-pod-cidr-allocator',
      identity: options.identity,
      onNewLeader: (leader) => logger.info({ leader }, 'pod CIDR allocator leader'),
    },
    prepare() {
      term = startAllocationTerm({
        client,
        logger,
        events,
        metrics,
        pools: options.pools,
        nodes,
        enqueue: (name) => controller.enqueue(name),
        retryFullMs: options.retryFullMs ?? 30_000,
      });
    },
    reconcile: (name, signal) => term?.reconcile(name, signal),
    rateLimiter: { baseDelayMs: 200, maxDelayMs: 30_000 },
    metrics: options.metrics && { registry: options.metrics },
    logger,
  });

  return {
    start: () => void controller.start(),
    stop: () => controller.stop(),
    isLeader: () => controller.isLeader(),
    idle: () => controller.idle(),
    checks: [{ name: 'pod-cidr-allocator', check: () => allocatorHealth(controller) }],
  };
}

/** Ready as a standby; as the leader, once the Nodes are listed. */
function allocatorHealth(controller: Controller): HealthCheckResult {
  if (!controller.isLeader()) {
    return { ok: true, message: `standby (leader: ${controller.leader ?? 'none'})` };
  }
  if (!controller.hasSynced()) return { ok: false, message: 'leading, listing Nodes' };
  return { ok: true, message: 'leading' };
}

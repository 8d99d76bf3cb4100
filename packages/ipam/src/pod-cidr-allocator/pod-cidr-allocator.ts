import {
  createInformer,
  createLeaderElector,
  createWorkQueue,
  formatCidr,
  type HealthCheck,
  type Informer,
  type InformerOptions,
  isKubeApiError,
  type KubeClient,
  type KubeLogger,
  type LeaderElectionOptions,
  type MetricsRegistry,
  resourcePath,
  type WorkQueue,
} from '@loom-net/core';
import { type NodeObject, needsPodCidrs, podCidrsOf } from './node-cidrs.ts';
import { recordNodeEvent } from './node-events.ts';
import {
  createPodCidrPools,
  type PodCidrPools,
  type PoolSpec,
  type PoolUsage,
} from './pod-cidr-pools.ts';

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
  readonly informer?: Partial<Omit<InformerOptions, 'client' | 'path'>>;
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

const NODES = resourcePath({ version: 'v1', plural: 'nodes' });

/**
 * Assigns `spec.podCIDR(s)` to Nodes that have none, for clusters where kube-controller-manager
 * does not (`--allocate-node-cidrs=false`). Only the leader of a Lease allocates. Each term
 * starts by listing every Node and marking the blocks they hold, so a block in use is never
 * handed out, whoever assigned it; an assignment is a PUT guarded by the Node's
 * resourceVersion, so a Node changed meanwhile is re-read, never overwritten.
 */
export function createPodCidrAllocator(options: PodCidrAllocatorOptions): PodCidrAllocator {
  const { client, logger } = options;
  const metrics = options.metrics && allocatorMetrics(options.metrics);
  let term: { queue: WorkQueue; informer: Informer<NodeObject> } | undefined;
  const elector = createLeaderElector({
    ...options.leaderElection,
    client,
    namespace: options.leaseNamespace ?? 'kube-system',
    name: options.leaseName ?? 'loom-pod-cidr-allocator',
    identity: options.identity,
    logger,
    onStartedLeading: (signal) => lead(signal),
    onNewLeader: (leader) => logger.info({ leader }, 'pod CIDR allocator leader'),
  });

  async function lead(signal: AbortSignal): Promise<void> {
    metrics?.leader.set(1);
    const informer = createInformer<NodeObject>({
      ...options.informer,
      client,
      path: NODES,
      logger,
    });
    const pools = createPodCidrPools(options.pools);
    const assigner = createAssigner(options, informer, pools, metrics);
    const queue = createWorkQueue({
      name: 'pod-cidr-allocator',
      reconcile: (name, abort) => assigner.assign(name, abort),
      logger,
      rateLimiter: { baseDelayMs: 200, maxDelayMs: 30_000 },
    });
    term = { queue, informer };
    try {
      informer.start();
      await Promise.race([informer.synced, aborted(signal)]);
      if (signal.aborted) return;
      learnUsedBlocks(informer, pools, logger);
      watchNodes(informer, pools, queue, logger);
      metrics?.observe(pools.usage());
      queue.start();
      for (const node of informer.list())
        if (needsPodCidrs(node)) queue.add(node.metadata?.name ?? '');
      await aborted(signal);
    } finally {
      await informer.stop();
      await queue.shutdown({ abort: true });
      metrics?.leader.set(0);
    }
  }

  return {
    start: () => elector.start(),
    stop: () => elector.stop(),
    isLeader: () => elector.isLeader(),
    idle: () => term?.queue.idle() ?? Promise.resolve(),
    checks: [
      {
        name: 'pod-cidr-allocator',
        check: () =>
          !elector.isLeader() || term?.informer.hasSynced()
            ? {
                ok: true,
                message: elector.isLeader()
                  ? 'leading'
                  : `standby (leader: ${elector.leader ?? 'none'})`,
              }
            : { ok: false, message: 'leading, listing Nodes' },
      },
    ],
  };
}

function aborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) =>
    signal.addEventListener('abort', () => resolve(), { once: true }),
  );
}

/** Before any assignment: every block any Node holds is taken. */
function learnUsedBlocks(
  informer: Informer<NodeObject>,
  pools: PodCidrPools,
  logger: KubeLogger,
): void {
  for (const node of informer.list()) {
    const conflicts = pools.observe(node.metadata?.name ?? '', podCidrsOf(node));
    for (const conflict of conflicts) logger.warn({ conflict }, 'pod CIDR assigned twice');
  }
}

function watchNodes(
  informer: Informer<NodeObject>,
  pools: PodCidrPools,
  queue: WorkQueue,
  logger: KubeLogger,
): void {
  const changed = (node: NodeObject): void => {
    const name = node.metadata?.name ?? '';
    const cidrs = podCidrsOf(node);
    if (cidrs.length > 0) {
      // Whatever it holds now (ours, or set by someone else) replaces any reservation.
      pools.release(name);
      for (const conflict of pools.observe(name, cidrs))
        logger.warn({ conflict }, 'pod CIDR assigned twice');
    }
    if (needsPodCidrs(node)) queue.add(name);
  };
  informer.on('add', changed);
  informer.on('update', changed);
  informer.on('delete', (node) => {
    pools.release(node.metadata?.name ?? '');
    // A freed block may be what a waiting node needs.
    for (const other of informer.list())
      if (needsPodCidrs(other)) queue.add(other.metadata?.name ?? '');
  });
}

function createAssigner(
  options: PodCidrAllocatorOptions,
  informer: Informer<NodeObject>,
  pools: PodCidrPools,
  metrics: AllocatorMetrics | undefined,
) {
  const { client, logger } = options;
  const reportedFull = new Set<string>();
  return {
    async assign(name: string, signal: AbortSignal) {
      const cached = informer.get(name);
      if (!cached || !needsPodCidrs(cached)) return undefined;
      const allocation = pools.allocate(name);
      if (!allocation.ok) {
        if (!reportedFull.has(name)) {
          reportedFull.add(name);
          await reportFull(options, cached, allocation.exhausted, metrics);
        }
        return { requeueAfterMs: options.retryFullMs ?? 30_000 };
      }
      const texts = allocation.podCidrs.map(formatCidr);
      try {
        const path = `${NODES}/${encodeURIComponent(name)}`;
        const fresh = await client.request<NodeObject>({ path, signal });
        if (!needsPodCidrs(fresh)) {
          pools.release(name);
          pools.observe(name, podCidrsOf(fresh));
          return undefined;
        }
        const body = { ...fresh, spec: { ...fresh.spec, podCIDR: texts[0], podCIDRs: texts } };
        await client.request({ method: 'PUT', path, body, signal });
      } catch (err) {
        pools.release(name);
        if (isKubeApiError(err, 404)) return undefined;
        throw err;
      }
      reportedFull.delete(name);
      metrics?.assignments.inc();
      metrics?.observe(pools.usage());
      logger.info({ node: name, podCIDRs: texts }, 'assigned pod CIDRs');
      return undefined;
    },
  };
}

async function reportFull(
  options: PodCidrAllocatorOptions,
  node: NodeObject,
  pool: PoolUsage,
  metrics: AllocatorMetrics | undefined,
): Promise<void> {
  const name = node.metadata?.name ?? '';
  const message =
    `cannot assign a pod CIDR to node ${name}: no free /${pool.nodeMask} block left in ` +
    `${formatCidr(pool.cidr)} (${pool.used} of ${pool.total} in use); delete unused Nodes or add a larger cluster CIDR`;
  options.logger.error(
    { node: name, cidr: formatCidr(pool.cidr), used: pool.used, total: pool.total },
    message,
  );
  metrics?.rangeFull.inc();
  await recordNodeEvent(options.client, options.logger, node, {
    type: 'Warning',
    reason: 'CIDRNotAvailable',
    message,
  });
}

type AllocatorMetrics = ReturnType<typeof allocatorMetrics>;

function allocatorMetrics(registry: MetricsRegistry) {
  const blocks = registry.gauge('blocks', 'Node-sized blocks of each cluster CIDR, by state.', [
    'cidr',
    'state',
  ]);
  return {
    leader: registry.gauge('leader', '1 while this instance holds the lease and allocates.'),
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

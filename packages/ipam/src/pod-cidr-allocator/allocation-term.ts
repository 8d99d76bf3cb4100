import {
  type EventRecorder,
  formatCidr,
  type Informer,
  isKubeApiError,
  type KubeClient,
  type KubeLogger,
  type Node,
  nodePodCidrs,
  type ReconcileResult,
  referenceTo,
  resourcePath,
} from '@loom-net/core';
import type { AllocatorMetrics } from './allocator-metrics.ts';
import { needsPodCidrs } from './node-cidrs.ts';
import { createPodCidrPools, type PoolSpec, type PoolUsage } from './pod-cidr-pools.ts';

export const NODES = resourcePath({ version: 'v1', plural: 'nodes' });

export interface AllocationTermInput {
  readonly client: KubeClient;
  readonly logger: KubeLogger;
  readonly events: EventRecorder;
  readonly metrics: AllocatorMetrics | undefined;
  readonly pools: readonly PoolSpec[];
  readonly nodes: Pick<Informer<Node>, 'get' | 'list'>;
  /** Queues a Node's name for reconcile. */
  readonly enqueue: (name: string) => void;
  readonly retryFullMs: number;
}

export interface AllocationTerm {
  /** Brings one Node (by name) in line: records the blocks it holds, frees those of a
   * deleted one, or assigns blocks to one that has none. */
  reconcile(name: string, signal: AbortSignal): Promise<ReconcileResult | undefined>;
}

/**
 * What the allocator knows during one tenure of the lease. It starts from the whole (freshly
 * listed) Node cache, marking every block any Node holds before any is handed out, so a
 * block in use is never given again, whoever assigned it.
 */
export function startAllocationTerm(input: AllocationTermInput): AllocationTerm {
  const { logger, metrics } = input;
  const pools = createPodCidrPools(input.pools);
  /** The pod CIDRs last recorded per Node, so an unchanged Node is not recorded (and its
   * conflicts not logged) again. */
  const recorded = new Map<string, string>();
  /** Nodes a full range was reported for (event + log) once, until they get a block. */
  const reportedFull = new Set<string>();

  function record(name: string, node: Node): void {
    // Masked: the API server accepts `10.244.1.5/24`, and its block is taken all the same.
    const { cidrs } = nodePodCidrs(node, { maskHostBits: true });
    const text = cidrs.map(formatCidr).join(',');
    if (recorded.get(name) === text) return;
    // Whatever it holds now (ours, or set by someone else) replaces any reservation.
    pools.release(name);
    for (const conflict of pools.observe(name, cidrs)) {
      logger.warn({ conflict }, 'pod CIDR assigned twice');
    }
    recorded.set(name, text);
    reportedFull.delete(name);
    metrics?.observe(pools.usage());
  }

  function forget(name: string): void {
    pools.release(name);
    recorded.delete(name);
    reportedFull.delete(name);
    metrics?.observe(pools.usage());
    // A freed block may be what a waiting node needs.
    for (const node of input.nodes.list()) {
      if (needsPodCidrs(node)) input.enqueue(node.metadata?.name ?? '');
    }
  }

  async function assign(node: Node, signal: AbortSignal): Promise<ReconcileResult | undefined> {
    const name = node.metadata?.name ?? '';
    const allocation = pools.allocate(name);
    if (!allocation.ok) {
      if (!reportedFull.has(name)) {
        reportedFull.add(name);
        await reportFull(input, node, allocation.exhausted);
      }
      return { requeueAfterMs: input.retryFullMs };
    }
    const texts = allocation.podCidrs.map(formatCidr);
    const fresh = await writePodCidrs(input.client, name, texts, signal).catch((err: unknown) => {
      pools.release(name);
      throw err;
    });
    if (fresh === 'gone') pools.release(name);
    else if (fresh !== 'written') {
      // Someone gave it blocks meanwhile: theirs stand, ours go back.
      pools.release(name);
      pools.observe(name, nodePodCidrs(fresh, { maskHostBits: true }).cidrs);
    } else {
      metrics?.assignments.inc();
      metrics?.observe(pools.usage());
      logger.info({ node: name, podCIDRs: texts }, 'assigned pod CIDRs');
    }
    return undefined;
  }

  for (const node of input.nodes.list()) record(node.metadata?.name ?? '', node);

  return {
    async reconcile(name, signal) {
      const node = input.nodes.get(name);
      if (!node) forget(name);
      else if (!needsPodCidrs(node)) record(name, node);
      else return assign(node, signal);
      return undefined;
    },
  };
}

/**
 * Sets the Node's podCIDR(s) with a PUT of the Node as read just now, guarded by its
 * resourceVersion: a Node changed meanwhile fails with 409 and is retried, never overwritten.
 * Returns the fresh Node instead when it already has pod CIDRs, `gone` when it was deleted.
 */
async function writePodCidrs(
  client: KubeClient,
  name: string,
  texts: readonly string[],
  signal: AbortSignal,
): Promise<'written' | 'gone' | Node> {
  const path = `${NODES}/${encodeURIComponent(name)}`;
  try {
    const fresh = await client.request<Node>({ path, signal });
    if (!needsPodCidrs(fresh)) return fresh;
    const body = { ...fresh, spec: { ...fresh.spec, podCIDR: texts[0], podCIDRs: [...texts] } };
    await client.request({ method: 'PUT', path, body, signal });
    return 'written';
  } catch (err) {
    if (isKubeApiError(err, 404)) return 'gone';
    throw err;
  }
}

async function reportFull(input: AllocationTermInput, node: Node, pool: PoolUsage): Promise<void> {
  const name = node.metadata?.name ?? '';
  const message =
    `cannot assign a pod CIDR to node ${name}: no free /${pool.nodeMask} block left in ` +
    `${formatCidr(pool.cidr)} (${pool.used} of ${pool.total} in use); delete unused Nodes or add a larger cluster CIDR`;
  input.logger.error(
    { node: name, cidr: formatCidr(pool.cidr), used: pool.used, total: pool.total },
    message,
  );
  input.metrics?.rangeFull.inc();
  await input.events.record(referenceTo(node, 'Node'), {
    type: 'Warning',
    reason: 'CIDRNotAvailable',
    message,
  });
}

import { isKubeApiError, type KubeClient, type Node } from '@loom-net/core';
import { LabError } from '../errors.ts';
import type { NodePlan } from './node-plan.ts';

/** What `status` and `up` show of a Node. */
export interface NodeCondition {
  name: string;
  /** The kubelet has registered (it filled in nodeInfo). */
  registered: boolean;
  ready: boolean;
  /** The Ready condition's reason and message (why it is not Ready). */
  reason: string;
  message: string;
  kubeletVersion: string;
  containerRuntimeVersion: string;
  podCidr: string | undefined;
}

/**
 * The Node the lab creates before the kubelet registers, with the classic topology's podCIDR
 * (the controller manager's allocator keeps a podCIDR that is already set).
 */
export function nodeObject(node: Pick<NodePlan, 'name' | 'podCidr'>): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: node.name,
      labels: { 'kubernetes.io/hostname': node.name, 'kubernetes.io/os': 'linux' },
    },
    spec: { podCIDR: node.podCidr, podCIDRs: [node.podCidr] },
  };
}

export async function ensureNodeObject(client: KubeClient, node: NodePlan): Promise<void> {
  try {
    await client.request({ method: 'POST', path: '/api/v1/nodes', body: nodeObject(node) });
    return;
  } catch (error) {
    if (!isKubeApiError(error, 409)) throw nodeError(node, 'create', error);
  }
  const path = `/api/v1/nodes/${node.name}`;
  const existing = await client.request<Node>({ path });
  const current = existing.spec?.podCIDR;
  if (current === node.podCidr) return;
  if (current !== undefined) {
    throw new LabError(
      'LOOM_LAB_NODE_FAILED',
      `cannot give Node ${node.name} the podCIDR ${node.podCidr}: it already has ${current} (podCIDRs are immutable; run loom lab down, or up with --pod-cidrs controller-manager)`,
    );
  }
  await client.request({
    method: 'PATCH',
    path,
    contentType: 'application/merge-patch+json',
    body: { spec: { podCIDR: node.podCidr, podCIDRs: [node.podCidr] } },
  });
}

export async function deleteNodeObject(client: KubeClient, name: string): Promise<void> {
  try {
    await client.request({ method: 'DELETE', path: `/api/v1/nodes/${name}` });
  } catch (error) {
    if (!isKubeApiError(error, 404)) throw error;
  }
}

function nodeError(node: NodePlan, action: string, error: unknown): LabError {
  return new LabError(
    'LOOM_LAB_NODE_FAILED',
    `cannot ${action} Node ${node.name}: ${(error as Error).message}`,
    { cause: error },
  );
}

export function nodeCondition(object: Node): NodeCondition {
  const ready = object.status?.conditions?.find((condition) => condition.type === 'Ready');
  const info = object.status?.nodeInfo;
  return {
    name: object.metadata?.name ?? '',
    registered: Boolean(info?.kubeletVersion),
    ready: ready?.status === 'True',
    reason: ready?.reason ?? '',
    message: ready?.message ?? '',
    kubeletVersion: info?.kubeletVersion ?? '',
    containerRuntimeVersion: info?.containerRuntimeVersion ?? '',
    podCidr: object.spec?.podCIDR,
  };
}

export async function readNodeConditions(
  client: KubeClient,
  timeoutMs = 5_000,
): Promise<Map<string, NodeCondition>> {
  const list = await client.request<{ items: Node[] }>({ path: '/api/v1/nodes', timeoutMs });
  return new Map(list.items.map((item) => [item.metadata?.name ?? '', nodeCondition(item)]));
}

/**
 * Polls the Nodes until `done` holds for each of `names`; resolves with when each got there
 * (ms since the call). Times out with what each node last said.
 */
export async function waitForNodes(
  client: KubeClient,
  names: readonly string[],
  done: (condition: NodeCondition) => boolean,
  options: {
    timeoutMs: number;
    describe: string;
    /** Called every round; throws to stop waiting (a process that died). */
    check?: () => Promise<void>;
  },
): Promise<Map<string, number>> {
  const started = Date.now();
  const reached = new Map<string, number>();
  let last = new Map<string, NodeCondition>();
  for (;;) {
    try {
      last = await readNodeConditions(client);
    } catch {
      // The API server may be restarting; the deadline decides.
    }
    for (const name of names) {
      const condition = last.get(name);
      if (!reached.has(name) && condition && done(condition))
        reached.set(name, Date.now() - started);
    }
    if (reached.size === names.length) return reached;
    await options.check?.();
    if (Date.now() - started > options.timeoutMs) {
      const pending = names.filter((name) => !reached.has(name));
      const why = pending.map((name) => {
        const condition = last.get(name);
        if (!condition) return `${name}: no Node object`;
        if (!condition.registered) return `${name}: the kubelet has not registered`;
        return `${name}: ${condition.reason || 'NotReady'} ${condition.message}`.trim();
      });
      throw new LabError(
        'LOOM_LAB_NODE_NOT_READY',
        `${pending.join(', ')} did not become ${options.describe} within ${options.timeoutMs / 1000}s: ${why.join('; ')}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

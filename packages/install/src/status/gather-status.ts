import type { KubeClient, Node } from '@loom-net/core';
import {
  type ClusterConnectionOptions,
  checkReachable,
  connectCluster,
} from '../cluster/cluster-connection.ts';
import { getOptional, listItems } from '../cluster/kube-calls.ts';
import {
  LOOM_CONFIG,
  LOOM_NAMESPACE,
  LOOM_SELECTOR,
  type ManifestObject,
} from '../cluster/manifest-object.ts';
import type { PodObject } from '../cluster/pod-object.ts';
import { buildStatus, type LoomStatus, NODE_DAEMONSET } from './loom-status.ts';
import { containerFlag, routeModeFromMetrics } from './route-mode.ts';

export interface StatusOptions extends ClusterConnectionOptions {
  /** How long to wait for each agent's /metrics (through the API server's pod proxy). */
  readonly metricsTimeoutMs?: number;
}

const DEFAULT_HEALTH_PORT = 9101;

/** `loom status`: Loom's workloads, its pod on every node, and the facts it runs with. */
export async function loomStatus(options: StatusOptions = {}): Promise<LoomStatus> {
  const connection = connectCluster(options);
  try {
    const { client } = connection;
    await checkReachable(client);
    const selector = { labelSelector: LOOM_SELECTOR };
    const [daemonSets, deployments, pods, nodes, config] = await Promise.all([
      listItems<ManifestObject>(client, '/apis/apps/v1/daemonsets', selector),
      listItems<ManifestObject>(client, '/apis/apps/v1/deployments', selector),
      listItems<PodObject>(client, `/api/v1/namespaces/${LOOM_NAMESPACE}/pods`),
      listItems<Node>(client, '/api/v1/nodes'),
      getOptional<{ data?: Record<string, string> }>(
        client,
        `/api/v1/namespaces/${LOOM_NAMESPACE}/configmaps/${LOOM_CONFIG}`,
      ),
    ]);
    const workloads = [
      ...daemonSets.map((o) => ({ ...o, kind: 'DaemonSet' })),
      ...deployments.map((o) => ({ ...o, kind: 'Deployment' })),
    ];
    const nodeDaemonSet = workloads.find(
      (w) => w.kind === 'DaemonSet' && w.metadata.name === NODE_DAEMONSET,
    );
    const modes = await agentModes(
      client,
      pods,
      healthPortOf(nodeDaemonSet),
      options.metricsTimeoutMs ?? 3000,
    );
    return buildStatus({
      workloads,
      pods,
      nodes,
      ...(config ? { config: config.data ?? {} } : {}),
      modes,
    });
  } finally {
    connection.close();
  }
}

function healthPortOf(daemonSet: ManifestObject | undefined): number {
  const spec = daemonSet?.spec as
    | {
        template?: {
          spec?: { containers?: { args?: string[]; env?: { name?: string; value?: string }[] }[] };
        };
      }
    | undefined;
  for (const container of spec?.template?.spec?.containers ?? []) {
    const port = containerFlag(container, 'health-port');
    if (port && /^\d+$/.test(port)) return Number(port);
  }
  return DEFAULT_HEALTH_PORT;
}

/**
 * Each ready loom-node pod's routing mode, from its agent's metrics through the API server's
 * pod proxy (the agent publishes nothing in the API). Best effort: an unreachable agent is
 * reported as `unknown (…)` and does not make the status unhealthy by itself.
 */
async function agentModes(
  client: KubeClient,
  pods: readonly PodObject[],
  port: number,
  timeoutMs: number,
): Promise<Map<string, string>> {
  const nodePods = pods.filter(
    (p) =>
      p.metadata?.ownerReferences?.some(
        (o) => o.kind === 'DaemonSet' && o.name === NODE_DAEMONSET,
      ) && p.status?.phase === 'Running',
  );
  const entries = await Promise.all(
    nodePods.map(async (pod) => {
      const name = pod.metadata?.name ?? '';
      try {
        const response = await client.stream({
          path: `/api/v1/namespaces/${LOOM_NAMESPACE}/pods/${name}:${port}/proxy/metrics`,
          signal: AbortSignal.timeout(timeoutMs),
        });
        const chunks: Buffer[] = [];
        for await (const chunk of response) chunks.push(chunk as Buffer);
        return [name, routeModeFromMetrics(Buffer.concat(chunks).toString('utf8'))] as const;
      } catch (error) {
        const why =
          (error as Error).name === 'AbortError' || /abort|timeout/i.test((error as Error).message)
            ? 'metrics timed out'
            : 'metrics unreachable';
        return [name, `unknown (${why})`] as const;
      }
    }),
  );
  return new Map(entries);
}

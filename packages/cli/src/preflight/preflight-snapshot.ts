import type { KubeClient, Node } from '@loom-net/core';
import { listItems } from '../cluster/kube-calls.ts';
import type { ClusterFacts } from '../discovery/cluster-discovery.ts';
import type { DaemonSetRef, PreflightSnapshot } from './preflight-checks.ts';

interface DaemonSetHeader {
  metadata?: { name?: string; namespace?: string };
}

/** Reads what the checks need: the server version, the Nodes, every DaemonSet's name. */
export async function takePreflightSnapshot(
  client: KubeClient,
  facts: ClusterFacts,
): Promise<PreflightSnapshot> {
  const [version, nodes, daemonSets] = await Promise.all([
    client.request<{ gitVersion?: string }>({ path: '/version' }),
    listItems<Node>(client, '/api/v1/nodes'),
    listItems<DaemonSetHeader>(client, '/apis/apps/v1/daemonsets'),
  ]);
  return {
    server: client.server,
    version: version.gitVersion ?? 'unknown',
    nodes,
    daemonSets: daemonSets.map(
      (ds): DaemonSetRef => ({
        namespace: ds.metadata?.namespace ?? '',
        name: ds.metadata?.name ?? '',
      }),
    ),
    facts,
  };
}

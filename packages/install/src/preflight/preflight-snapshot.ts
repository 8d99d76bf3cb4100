import type { KubeClient, Node } from '@loom-net/core';
import { listItems } from '../cluster/kube-calls.ts';
import type { ClusterFacts } from '../discovery/cluster-discovery.ts';
import {
  type CniPodRef,
  type DaemonSetRef,
  KNOWN_CNI_POD_LABELS,
  type PreflightSnapshot,
} from './preflight-checks.ts';

interface DaemonSetHeader {
  metadata?: { name?: string; namespace?: string };
}

/** Reads what the checks need: the server version, the Nodes, every DaemonSet's name. */
export async function takePreflightSnapshot(
  client: KubeClient,
  facts: ClusterFacts,
): Promise<PreflightSnapshot> {
  const values = Object.keys(KNOWN_CNI_POD_LABELS).join(',');
  const [version, nodes, daemonSets, ...podLists] = await Promise.all([
    client.request<{ gitVersion?: string }>({ path: '/version' }),
    listItems<Node>(client, '/api/v1/nodes'),
    listItems<DaemonSetHeader>(client, '/apis/apps/v1/daemonsets'),
    ...['k8s-app', 'app'].map((key) =>
      listItems<DaemonSetHeader & { metadata?: { labels?: Record<string, string> } }>(
        client,
        '/api/v1/pods',
        {
          labelSelector: `${key} in (${values})`,
        },
      ).then((pods) =>
        pods.map(
          (pod): CniPodRef => ({
            namespace: pod.metadata?.namespace ?? '',
            name: pod.metadata?.name ?? '',
            label: pod.metadata?.labels?.[key] ?? '',
          }),
        ),
      ),
    ),
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
    cniPods: podLists.flat(),
    facts,
  };
}

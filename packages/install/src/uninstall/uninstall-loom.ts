import { setTimeout as sleep } from 'node:timers/promises';
import { contains, type KubeClient, type Pod, parseCidr, parseIp, podIps } from '@loom-net/core';
import { objectPath, resourceOf, WORKLOAD_KINDS } from '../cluster/api-resources.ts';
import {
  type ClusterConnectionOptions,
  checkReachable,
  connectCluster,
} from '../cluster/cluster-connection.ts';
import {
  applyObject,
  deleteObject,
  getOptional,
  listItems,
  readPodLog,
} from '../cluster/kube-calls.ts';
import {
  describeObject,
  LOOM_CONFIG,
  LOOM_NAMESPACE,
  type ManifestObject,
  PART_OF_LABEL,
} from '../cluster/manifest-object.ts';
import type { PodObject } from '../cluster/pod-object.ts';
import { type ExplainedProblem, waitForRollouts } from '../install/rollout-wait.ts';
import { DEFAULT_IMAGE } from '../loom-version.ts';
import { CLEANUP_DAEMONSET, cleanupDaemonSet, cleanupSummary } from './cleanup-daemonset.ts';
import { findLoomObjects } from './loom-objects.ts';

export interface UninstallOptions extends ClusterConnectionOptions {
  /** The cleanup DaemonSet's image; default the installed loom-node's, else this version's. */
  readonly image?: string;
  /** Delete the objects only; leave nodes as they are (routes, CNI files). */
  readonly keepNodeState?: boolean;
  /** List what would be deleted; change nothing. */
  readonly dryRun?: boolean;
  /** For each wait (workloads gone, nodes clean, objects gone); default 5 minutes. */
  readonly timeoutMs?: number;
  readonly onProgress?: (line: string) => void;
}

export interface NodeCleanup {
  readonly node: string;
  /** What loom-node-cleanup removed, or undefined when it did not finish. */
  readonly summary?: string;
}

export interface UninstallReport {
  /** The objects found, in deletion order. */
  readonly objects: readonly string[];
  readonly dryRun: boolean;
  /** `--keep-node-state`: the nodes were not cleaned. */
  readonly keptNodeState: boolean;
  readonly nodes: readonly NodeCleanup[];
  /** Why the cleanup did not finish on some nodes. */
  readonly cleanupProblems: readonly ExplainedProblem[];
  /** Objects still there when the wait ended. */
  readonly remaining: readonly string[];
  /** Pods with an address from Loom's network: they lose it (recreate them under the next CNI). */
  readonly podsOnLoomNetwork: readonly string[];
  readonly ok: boolean;
}

/**
 * `loom uninstall`: stop Loom's workloads (so no agent puts state back), clean every node
 * with the loom-node-cleanup DaemonSet, then delete the remaining objects, the namespace
 * last. Running it again on a cluster without Loom finds nothing and succeeds.
 */
export async function uninstallLoom(options: UninstallOptions = {}): Promise<UninstallReport> {
  const progress = options.onProgress ?? (() => {});
  const timeoutMs = options.timeoutMs ?? 300_000;
  const connection = connectCluster(options);
  try {
    const { client } = connection;
    await checkReachable(client);
    const found = await findLoomObjects(client);
    const workloads = found.filter((o) => WORKLOAD_KINDS.has(o.kind));
    const rest = found.filter((o) => !WORKLOAD_KINDS.has(o.kind)).reverse();
    const order = [...workloads, ...rest];
    const podsOnLoomNetwork = await loomNetworkPods(client);
    const base = {
      objects: order.map(describeObject),
      podsOnLoomNetwork,
      keptNodeState: options.keepNodeState === true,
    };
    if (options.dryRun) {
      return {
        ...base,
        dryRun: true,
        nodes: [],
        cleanupProblems: [],
        remaining: base.objects,
        ok: true,
      };
    }
    const image = options.image ?? nodeImage(workloads) ?? DEFAULT_IMAGE;
    for (const workload of workloads) {
      if (await deleteObject(client, workload, 'Foreground'))
        progress(`deleting ${describeObject(workload)}`);
    }
    await waitGone(client, workloads, timeoutMs);
    // Nothing of Loom's left: clean nodes only when asked to with an image (a half-done
    // uninstall), since the default image may not even be pullable there.
    const clean =
      options.keepNodeState !== true && (found.length > 0 || options.image !== undefined);
    const cleanup = clean
      ? await cleanNodes(client, image, found, timeoutMs, progress)
      : { nodes: [], problems: [], createdNamespace: undefined };
    if (cleanup.createdNamespace) rest.push(cleanup.createdNamespace);
    for (const object of rest) {
      if (await deleteObject(client, object)) progress(`deleting ${describeObject(object)}`);
    }
    const remaining = await waitGone(client, [...workloads, ...rest], timeoutMs);
    return {
      ...base,
      dryRun: false,
      nodes: cleanup.nodes,
      cleanupProblems: cleanup.problems,
      remaining: remaining.map(describeObject),
      ok: remaining.length === 0 && cleanup.problems.length === 0,
    };
  } finally {
    connection.close();
  }
}

/** Runs the cleanup DaemonSet until every node is clean (or the timeout), then deletes it. */
async function cleanNodes(
  client: KubeClient,
  image: string,
  found: readonly ManifestObject[],
  timeoutMs: number,
  progress: (line: string) => void,
): Promise<{
  nodes: NodeCleanup[];
  problems: ExplainedProblem[];
  /** The namespace the cleanup had to create, to delete with the rest. */
  createdNamespace: ManifestObject | undefined;
}> {
  const namespace = found.find((o) => o.kind === 'Namespace' && o.metadata.name === LOOM_NAMESPACE);
  // A half-uninstalled cluster may have lost the namespace: the DaemonSet needs it, privileged.
  const createdNamespace = namespace ? undefined : loomNamespace();
  await applyObject(client, namespace ? stripServerFields(namespace) : loomNamespace());
  const daemonSet = cleanupDaemonSet(image);
  await applyObject(client, daemonSet);
  progress(`cleaning every node with DaemonSet ${LOOM_NAMESPACE}/${CLEANUP_DAEMONSET} (${image})`);
  const rollout = await waitForRollouts(client, [daemonSet], { timeoutMs, onProgress: progress });
  const pods = await listItems<PodObject>(client, `/api/v1/namespaces/${LOOM_NAMESPACE}/pods`, {
    labelSelector: `app.kubernetes.io/name=${CLEANUP_DAEMONSET}`,
  });
  const nodes: NodeCleanup[] = [];
  for (const pod of pods) {
    const log = await readPodLog(client, LOOM_NAMESPACE, pod.metadata?.name ?? '').catch(() => '');
    const summary = cleanupSummary(log);
    const node = pod.spec?.nodeName ?? '?';
    nodes.push(summary ? { node, summary } : { node });
    progress(`  ${node}: ${summary ?? 'not cleaned'}`);
  }
  await deleteObject(client, daemonSet, 'Foreground');
  await waitGone(client, [daemonSet], timeoutMs);
  nodes.sort((a, b) => a.node.localeCompare(b.node));
  return { nodes, problems: rollout.done ? [] : [...rollout.problems], createdNamespace };
}

/** Waits until every object answers 404; returns those still there at the timeout. */
async function waitGone(
  client: KubeClient,
  objects: readonly ManifestObject[],
  timeoutMs: number,
): Promise<ManifestObject[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const present = (
      await Promise.all(
        objects.map(async (o) => {
          const resource = resourceOf(o.kind);
          if (!resource) return undefined;
          const there = await getOptional(
            client,
            objectPath(resource, o.metadata.namespace, o.metadata.name),
          );
          return there ? o : undefined;
        }),
      )
    ).filter((o): o is ManifestObject => o !== undefined);
    if (present.length === 0 || Date.now() >= deadline) return present;
    await sleep(500);
  }
}

function nodeImage(workloads: readonly ManifestObject[]): string | undefined {
  const node = workloads.find((w) => w.kind === 'DaemonSet' && w.metadata.name === 'loom-node');
  const spec = node?.spec as
    | { template?: { spec?: { containers?: { image?: string }[] } } }
    | undefined;
  return spec?.template?.spec?.containers?.[0]?.image;
}

function loomNamespace(): ManifestObject {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: LOOM_NAMESPACE,
      labels: { [PART_OF_LABEL]: 'loom', 'pod-security.kubernetes.io/enforce': 'privileged' },
    },
  };
}

/** An object read from the server, reduced to what an apply may carry. */
function stripServerFields(object: ManifestObject): ManifestObject {
  return {
    apiVersion: object.apiVersion,
    kind: object.kind,
    metadata: {
      name: object.metadata.name,
      ...(object.metadata.labels ? { labels: object.metadata.labels } : {}),
    },
  };
}

/** Running pods, not on the host network, whose address is in Loom's cluster CIDR. */
async function loomNetworkPods(client: KubeClient): Promise<string[]> {
  const config = await getOptional<{ data?: Record<string, string> }>(
    client,
    `/api/v1/namespaces/${LOOM_NAMESPACE}/configmaps/${LOOM_CONFIG}`,
  );
  const cidrs = (config?.data?.['cluster-cidr'] ?? '')
    .split(',')
    .filter(Boolean)
    .flatMap((text) => {
      try {
        return [parseCidr(text.trim())];
      } catch {
        return [];
      }
    });
  if (cidrs.length === 0) return [];
  const pods = await listItems<Pod>(client, '/api/v1/pods', {
    fieldSelector: 'status.phase=Running',
  });
  return pods
    .filter((pod) => !pod.spec?.hostNetwork)
    .filter((pod) => podIps(pod).some((ip) => cidrs.some((cidr) => safeContains(cidr, ip))))
    .map((pod) => `${pod.metadata?.namespace}/${pod.metadata?.name}`);
}

function safeContains(cidr: ReturnType<typeof parseCidr>, ip: string): boolean {
  try {
    return contains(cidr, parseIp(ip));
  } catch {
    return false;
  }
}

import { formatCidr, type Node, nodePodCidrs } from '@loom-net/core';
import { COMPONENT_LABEL, type ManifestObject, VERSION_LABEL } from '../cluster/manifest-object.ts';
import { isPodReady, type PodObject, podRestarts } from '../cluster/pod-object.ts';
import { podProblems } from '../install/pod-problems.ts';
import { workloadRollout } from '../install/rollout-status.ts';
import { containerFlag } from './route-mode.ts';
import type { StatusSnapshot } from './status-snapshot.ts';

export interface ComponentRow {
  readonly kind: string;
  readonly name: string;
  readonly component: string;
  readonly desired: number;
  readonly ready: number;
  readonly updated: number;
  readonly available: number;
  readonly image: string;
  readonly version: string;
  readonly healthy: boolean;
}

export interface NodeRow {
  readonly node: string;
  readonly nodeReady: boolean;
  readonly podCidrs: readonly string[];
  /** The loom-node pod on this node, if any. */
  readonly pod?: string;
  readonly podReady: boolean;
  readonly restarts: number;
  /** What is wrong now, or the last termination of a container that restarted. */
  readonly lastError?: string;
  readonly mode?: string;
}

export interface LoomStatus {
  readonly installed: boolean;
  readonly components: readonly ComponentRow[];
  readonly nodes: readonly NodeRow[];
  /** loom-config's data: cluster-cidr, service-cidr, api-server-host/port, … */
  readonly config: Readonly<Record<string, string>>;
  /** The route agent's `--mode` (auto, direct, vxlan) from the DaemonSet. */
  readonly configuredMode?: string;
  readonly healthy: boolean;
  /** One line per unhealthy thing, for the exit code's reason. */
  readonly problems: readonly string[];
}

/** The DaemonSet whose pods are Loom on each node (deploy/, shared contract). */
export const NODE_DAEMONSET = 'loom-node';

interface PodTemplate {
  spec?: {
    template?: {
      spec?: {
        containers?: Array<{
          name?: string;
          image?: string;
          args?: string[];
          command?: string[];
          env?: Array<{ name?: string; value?: string }>;
        }>;
      };
    };
  };
}

export function buildStatus(snapshot: StatusSnapshot): LoomStatus {
  const components = snapshot.workloads.map(componentRow);
  const daemonSet = snapshot.workloads.find(
    (w) => w.kind === 'DaemonSet' && w.metadata.name === NODE_DAEMONSET,
  );
  const containers = (daemonSet as PodTemplate | undefined)?.spec?.template?.spec?.containers ?? [];
  const agent = containers.find((c) => (c.name ?? '').includes('agent')) ?? containers[0];
  const configuredMode = agent ? (containerFlag(agent, 'mode') ?? 'auto') : undefined;
  const nodePods = snapshot.pods.filter((p) =>
    p.metadata?.ownerReferences?.some((o) => o.kind === 'DaemonSet' && o.name === NODE_DAEMONSET),
  );
  const nodes = snapshot.nodes.map((node) => nodeRow(node, nodePods, snapshot.modes));
  const installed = snapshot.workloads.length > 0 || snapshot.config !== undefined;
  const problems = [
    ...(installed
      ? []
      : [
          'Loom is not installed (no workload labelled app.kubernetes.io/part-of=loom, no loom-config)',
        ]),
    ...(installed && !snapshot.config ? ['ConfigMap loom-system/loom-config is missing'] : []),
    ...(installed && !daemonSet ? [`DaemonSet ${NODE_DAEMONSET} is missing`] : []),
    ...components
      .filter((c) => !c.healthy)
      .map(
        (c) =>
          `${c.kind} ${c.name}: ${c.ready}/${c.desired} ready, ${c.updated}/${c.desired} updated`,
      ),
    ...(daemonSet
      ? nodes
          .filter((n) => !n.podReady)
          .map(
            (n) =>
              `node ${n.node}: loom-node ${n.pod ? `pod ${n.pod} not ready${n.lastError ? ` (${n.lastError})` : ''}` : 'pod missing'}`,
          )
      : []),
    ...nodes.filter((n) => !n.nodeReady).map((n) => `node ${n.node} is not Ready`),
  ];
  return {
    installed,
    components,
    nodes,
    config: snapshot.config ?? {},
    ...(configuredMode ? { configuredMode } : {}),
    healthy: problems.length === 0,
    problems,
  };
}

function componentRow(workload: ManifestObject): ComponentRow {
  const rollout = workloadRollout(workload);
  const containers = (workload as PodTemplate).spec?.template?.spec?.containers ?? [];
  const labels = workload.metadata.labels ?? {};
  return {
    kind: workload.kind,
    name: workload.metadata.name,
    component: labels[COMPONENT_LABEL] ?? '-',
    desired: rollout.desired,
    ready: rollout.ready,
    updated: rollout.updated,
    available: rollout.available,
    image: [...new Set(containers.map((c) => c.image ?? '?'))].join(','),
    version: labels[VERSION_LABEL] ?? '-',
    healthy: rollout.done && rollout.ready === rollout.desired,
  };
}

function nodeRow(
  node: Node,
  pods: readonly PodObject[],
  modes: ReadonlyMap<string, string>,
): NodeRow {
  const name = node.metadata?.name ?? '?';
  const pod = pods.find((p) => p.spec?.nodeName === name);
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
  const podName = pod?.metadata?.name;
  const lastError = pod ? lastErrorOf(pod) : undefined;
  const mode = podName ? modes.get(podName) : undefined;
  return {
    node: name,
    nodeReady: ready,
    podCidrs: nodePodCidrs(node).cidrs.map(formatCidr),
    ...(podName ? { pod: podName } : {}),
    podReady: pod ? isPodReady(pod) : false,
    restarts: pod ? podRestarts(pod) : 0,
    ...(lastError ? { lastError } : {}),
    ...(mode ? { mode } : {}),
  };
}

/** What is wrong now; else the last termination of a restarted container (its reason, exit). */
function lastErrorOf(pod: PodObject): string | undefined {
  const now = podProblems(pod)[0];
  if (now) return now.message;
  for (const status of pod.status?.containerStatuses ?? []) {
    const last = status.lastState?.terminated;
    if (last) {
      return `${status.name} last exited ${last.exitCode ?? '?'}${last.reason ? ` (${last.reason})` : ''}${last.finishedAt ? ` at ${last.finishedAt}` : ''}`;
    }
  }
  return undefined;
}

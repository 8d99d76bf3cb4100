import type { Node } from '@loom-net/core';
import type { ClusterFacts } from '../discovery/cluster-discovery.ts';

export type Verdict = 'ok' | 'warn' | 'fail';

export interface PreflightCheck {
  readonly name: string;
  readonly verdict: Verdict;
  readonly detail: string;
}

/** A DaemonSet as preflight sees it: where it is and its name. */
export interface DaemonSetRef {
  readonly namespace: string;
  readonly name: string;
}

/** Everything the checks read, gathered once (preflight-snapshot.ts); the checks are pure. */
export interface PreflightSnapshot {
  readonly server: string;
  readonly version: string;
  readonly nodes: readonly Node[];
  readonly daemonSets: readonly DaemonSetRef[];
  /** Pods labelled `k8s-app` or `app` with a {@link KNOWN_CNI_POD_LABELS} value. */
  readonly cniPods?: readonly CniPodRef[];
  readonly facts: ClusterFacts;
}

/**
 * DaemonSets of the CNIs a cluster most often already has. A node's CNI config cannot be
 * read through the API, so the agents that write it stand for it.
 */
export const KNOWN_CNI_DAEMONSETS: readonly { pattern: RegExp; cni: string }[] = [
  { pattern: /^kube-flannel/, cni: 'flannel' },
  { pattern: /^calico-node$/, cni: 'Calico' },
  { pattern: /^cilium$/, cni: 'Cilium' },
  { pattern: /^weave-net$/, cni: 'Weave Net' },
  { pattern: /^kube-router$/, cni: 'kube-router' },
  { pattern: /^antrea-agent$/, cni: 'Antrea' },
  { pattern: /^kindnet$/, cni: 'kindnet' },
];

/** The `k8s-app` / `app` label values of known CNIs' node pods, and the CNI they stand for. */
export const KNOWN_CNI_POD_LABELS: Readonly<Record<string, string>> = {
  flannel: 'flannel',
  'calico-node': 'Calico',
  cilium: 'Cilium',
  'weave-net': 'Weave Net',
  'kube-router': 'kube-router',
  'antrea-agent': 'Antrea',
  kindnet: 'kindnet',
};

/** A pod of a known CNI: where it is and the label value that named it. */
export interface CniPodRef {
  readonly namespace: string;
  readonly name: string;
  readonly label: string;
}

/** The kubelet's and the runtimes' words for "no CNI config yet" in the Ready condition. */
const NO_CNI =
  /NetworkPluginNotReady|cni plugin not initialized|network plugin is not ready|no networks found/i;

/** Loom's own DaemonSet: a node Ready because of it is not another CNI. */
export const LOOM_NODE = 'loom-node';

export interface PodCidrDecision {
  /** Install `loom-pod-cidr-allocator` (nobody gives nodes a podCIDR). */
  readonly installAllocator: boolean;
  readonly check: PreflightCheck;
}

export function preflightChecks(snapshot: PreflightSnapshot): PreflightCheck[] {
  return [
    {
      name: 'API server',
      verdict: 'ok',
      detail: `${snapshot.server} answers, Kubernetes ${snapshot.version}`,
    },
    otherCniCheck(snapshot),
    nodeNetworkCheck(
      snapshot.nodes,
      snapshot.daemonSets.some((ds) => ds.name === LOOM_NODE),
    ),
    kubeProxyCheck(snapshot.daemonSets),
    podCidrDecision(snapshot.facts).check,
    addressPlanCheck(snapshot.facts),
    apiServerAddressCheck(snapshot.facts),
  ];
}

function otherCniCheck(snapshot: PreflightSnapshot): PreflightCheck {
  const byDaemonSet = snapshot.daemonSets.flatMap((ds) => {
    const known = KNOWN_CNI_DAEMONSETS.find(({ pattern }) => pattern.test(ds.name));
    return known ? [{ cni: known.cni, where: `DaemonSet ${ds.namespace}/${ds.name}` }] : [];
  });
  // Pods without such a DaemonSet (static pods, a renamed DaemonSet), found by their label.
  const byPod = (snapshot.cniPods ?? []).flatMap((pod) => {
    const cni = KNOWN_CNI_POD_LABELS[pod.label];
    if (!cni || byDaemonSet.some((d) => d.cni === cni)) return [];
    return [{ cni, where: `pod ${pod.namespace}/${pod.name}` }];
  });
  const found = [...byDaemonSet, ...byPod]
    .filter((f, i, all) => all.findIndex((g) => g.cni === f.cni) === i)
    .map((f) => `${f.cni} (${f.where})`);
  if (found.length === 0) {
    return {
      name: 'other CNI',
      verdict: 'ok',
      detail: 'no DaemonSet or pod of a known CNI (flannel, Calico, Cilium, …)',
    };
  }
  return {
    name: 'other CNI',
    verdict: 'warn',
    detail: `${found.join(', ')} is installed: its config in /etc/cni/net.d may sort before Loom's 10-loom.conflist and keep being used; remove it first`,
  };
}

function nodeNetworkCheck(nodes: readonly Node[], loomInstalled: boolean): PreflightCheck {
  const name = 'node network';
  if (nodes.length === 0) return { name, verdict: 'warn', detail: 'the cluster has no Node yet' };
  const waiting: string[] = [];
  const ready: string[] = [];
  const unavailable: string[] = [];
  for (const node of nodes) {
    const nodeName = node.metadata?.name ?? '?';
    const conditions = node.status?.conditions ?? [];
    const readyCondition = conditions.find((c) => c.type === 'Ready');
    const text = `${readyCondition?.reason ?? ''} ${readyCondition?.message ?? ''}`;
    if (readyCondition?.status === 'True') ready.push(nodeName);
    else if (NO_CNI.test(text)) waiting.push(nodeName);
    if (conditions.some((c) => c.type === 'NetworkUnavailable' && c.status === 'True')) {
      unavailable.push(nodeName);
    }
  }
  const parts = [
    waiting.length > 0 ? `${waiting.length} node(s) wait for a CNI (${waiting.join(', ')})` : '',
    ready.length > 0 ? `${ready.length} Ready (${ready.join(', ')})` : '',
    unavailable.length > 0 ? `NetworkUnavailable on ${unavailable.join(', ')}` : '',
  ].filter(Boolean);
  const detail = parts.join('; ');
  if (loomInstalled) {
    return {
      name,
      verdict: 'ok',
      detail: `${detail}; Loom is installed already: this install updates it`,
    };
  }
  if (ready.length > 0 && waiting.length === 0) {
    return {
      name,
      verdict: 'warn',
      detail: `${detail}: a Ready node already has a CNI config (another CNI, or Loom installed before)`,
    };
  }
  return { name, verdict: 'ok', detail: detail || `${nodes.length} node(s)` };
}

function kubeProxyCheck(daemonSets: readonly DaemonSetRef[]): PreflightCheck {
  const kubeProxy = daemonSets.find((ds) => ds.name === 'kube-proxy');
  return kubeProxy
    ? {
        name: 'kube-proxy',
        verdict: 'ok',
        detail: `DaemonSet ${kubeProxy.namespace}/kube-proxy serves Services (Loom's service proxy is not part of this install yet)`,
      }
    : {
        name: 'kube-proxy',
        verdict: 'warn',
        detail:
          "absent: ClusterIPs are not served until a service proxy runs (Loom's is not part of this install yet); Loom's daemons use the API server's real address",
      };
}

/** Whether nodes get podCIDRs from someone else (kube-controller-manager's --allocate-node-cidrs). */
export function podCidrDecision(facts: ClusterFacts): PodCidrDecision {
  const { nodes, allocated, nodesWithout } = facts.nodes;
  const name = 'podCIDRs';
  if (nodes === 0) {
    return {
      installAllocator: false,
      check: {
        name,
        verdict: 'warn',
        detail:
          'no node to tell whether podCIDRs are allocated: the allocator is not installed (add --components pod-cidr-allocator if nodes come without one)',
      },
    };
  }
  if (allocated === nodes) {
    return {
      installAllocator: false,
      check: {
        name,
        verdict: 'ok',
        detail: `all ${nodes} node(s) have one: the cluster allocates them, loom-pod-cidr-allocator is not needed`,
      },
    };
  }
  if (allocated === 0) {
    return {
      installAllocator: true,
      check: {
        name,
        verdict: 'ok',
        detail: `no node has one: installing loom-pod-cidr-allocator (from ${facts.clusterCidrs.value.join(',')}, /${facts.nodeCidrMaskSize.value} each)`,
      },
    };
  }
  return {
    installAllocator: false,
    check: {
      name,
      verdict: 'warn',
      detail: `${allocated} of ${nodes} nodes have one (not yet: ${nodesWithout.join(', ')}); assuming the cluster allocates them`,
    },
  };
}

function addressPlanCheck(facts: ClusterFacts): PreflightCheck {
  const detail = `cluster ${facts.clusterCidrs.value.join(',')}, services ${facts.serviceCidrs.value.join(',')}`;
  if (facts.problems.length > 0) {
    return {
      name: 'address plan',
      verdict: 'fail',
      detail: `${detail}: ${facts.problems.join('; ')}`,
    };
  }
  return { name: 'address plan', verdict: 'ok', detail };
}

function apiServerAddressCheck(facts: ClusterFacts): PreflightCheck {
  if (facts.apiServer) {
    const { host, port } = facts.apiServer.value;
    return {
      name: 'API server address',
      verdict: 'ok',
      detail: `${host}:${port} for the node daemons (${facts.apiServer.source})`,
    };
  }
  return {
    name: 'API server address',
    verdict: 'warn',
    detail:
      'not found (the kubeconfig points at a loopback and the kubernetes Service has no endpoints): the daemons use the kubernetes Service, which needs a working service proxy; pass --api-server HOST:PORT',
  };
}

export function worstVerdict(checks: readonly PreflightCheck[]): Verdict {
  if (checks.some((c) => c.verdict === 'fail')) return 'fail';
  return checks.some((c) => c.verdict === 'warn') ? 'warn' : 'ok';
}

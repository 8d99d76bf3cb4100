import { containsCidr, type KubeClient, overlaps, parseCidr } from '@loom-net/core';
import { type ApiServerAddress, discoverApiServer } from './api-server-source.ts';
import type { DiscoveredFact } from './discovered-fact.ts';
import { discoverKubeadmNetworking, type KubeadmNetworking } from './kubeadm-config-source.ts';
import { discoverNodePodCidrs, type NodePodCidrFacts } from './node-pod-cidr-source.ts';
import { discoverServiceCidrs } from './service-cidr-source.ts';

/** Flags that replace what discovery finds (`--cluster-cidr`, `--service-cidr`, `--api-server`). */
export interface DiscoveryOverrides {
  readonly clusterCidrs?: readonly string[];
  readonly serviceCidrs?: readonly string[];
  readonly apiServer?: ApiServerAddress;
}

/** What each source said, before choosing. */
export interface DiscoverySources {
  readonly serviceCidrObjects?: DiscoveredFact<string[]>;
  readonly kubeadm?: KubeadmNetworking;
  readonly nodes: NodePodCidrFacts;
  readonly apiServer?: DiscoveredFact<ApiServerAddress>;
}

/** The cluster facts Loom's ConfigMap is filled with, each with its source. */
export interface ClusterFacts {
  readonly clusterCidrs: DiscoveredFact<string[]>;
  readonly serviceCidrs: DiscoveredFact<string[]>;
  readonly nodeCidrMaskSize: DiscoveredFact<number>;
  /** Undefined: the pods fall back to KUBERNETES_SERVICE_HOST/PORT (see the warning). */
  readonly apiServer?: DiscoveredFact<ApiServerAddress>;
  readonly nodes: NodePodCidrFacts;
  /** Contradictions that make the install wrong (a node's podCIDR outside the cluster CIDR). */
  readonly problems: readonly string[];
  /** Things worth knowing that do not stop the install. */
  readonly notes: readonly string[];
}

/** Loom's defaults (DESIGN.md's network model), used only when nothing in the cluster says. */
export const DEFAULT_CLUSTER_CIDR = '10.244.0.0/16';
/** kubeadm's default; kind's is 10.96.0.0/16, which it does state (ServiceCIDR, kubeadm-config). */
export const DEFAULT_SERVICE_CIDR = '10.96.0.0/12';
const DEFAULT_MASK_SIZE = 24;

/**
 * Chooses each fact: a flag first; then what the cluster states (ServiceCIDR objects and
 * kubeadm's ClusterConfiguration); then what it implies (a supernet of the nodes' podCIDRs,
 * a guess, said so); then Loom's default, said so too.
 */
export function resolveClusterFacts(
  sources: DiscoverySources,
  overrides: DiscoveryOverrides = {},
): ClusterFacts {
  const clusterCidrs: DiscoveredFact<string[]> = overrides.clusterCidrs
    ? { value: [...overrides.clusterCidrs], source: '--cluster-cidr' }
    : (sources.kubeadm?.podSubnet ??
      sources.nodes.clusterCidrGuess ?? {
        value: [DEFAULT_CLUSTER_CIDR],
        source: "Loom's default",
        caveat: 'nothing in the cluster states its pod CIDR: pass --cluster-cidr if this is wrong',
      });
  const serviceCidrs: DiscoveredFact<string[]> = overrides.serviceCidrs
    ? { value: [...overrides.serviceCidrs], source: '--service-cidr' }
    : (sources.serviceCidrObjects ??
      sources.kubeadm?.serviceSubnet ?? {
        value: [DEFAULT_SERVICE_CIDR],
        source: "kubeadm's default",
        caveat:
          'nothing in the cluster states its service CIDR: pass --service-cidr if this is wrong',
      });
  const apiServer = overrides.apiServer
    ? { value: overrides.apiServer, source: '--api-server' }
    : sources.apiServer;
  const nodeCidrMaskSize = sources.nodes.maskSize ?? {
    value: DEFAULT_MASK_SIZE,
    source: "Loom's default (no node has a podCIDR yet)",
  };
  return {
    clusterCidrs,
    serviceCidrs,
    nodeCidrMaskSize,
    ...(apiServer ? { apiServer } : {}),
    nodes: sources.nodes,
    problems: consistencyProblems(clusterCidrs.value, serviceCidrs.value, sources.nodes),
    notes: [...(sources.kubeadm?.problems ?? [])],
  };
}

function consistencyProblems(
  clusterTexts: readonly string[],
  serviceTexts: readonly string[],
  nodes: NodePodCidrFacts,
): string[] {
  const problems: string[] = [];
  const cluster = clusterTexts.map((text) => parseCidr(text));
  const service = serviceTexts.map((text) => parseCidr(text));
  for (const [i, c] of cluster.entries()) {
    for (const [j, s] of service.entries()) {
      if (overlaps(c, s)) {
        problems.push(`cluster CIDR ${clusterTexts[i]} overlaps service CIDR ${serviceTexts[j]}`);
      }
    }
  }
  for (const [node, cidrs] of nodes.podCidrsByNode) {
    for (const text of cidrs) {
      const block = parseCidr(text);
      const family = cluster.filter((c) => c.family === block.family);
      if (family.length > 0 && !family.some((c) => containsCidr(c, block))) {
        problems.push(
          `node ${node}'s podCIDR ${text} is outside the cluster CIDR ${clusterTexts.join(',')}`,
        );
      }
    }
  }
  return problems;
}

/** Reads every source (in parallel) and resolves the facts. */
export async function discoverCluster(
  client: KubeClient,
  overrides: DiscoveryOverrides = {},
): Promise<ClusterFacts> {
  const [serviceCidrObjects, kubeadm, nodes] = await Promise.all([
    discoverServiceCidrs(client),
    discoverKubeadmNetworking(client),
    discoverNodePodCidrs(client),
  ]);
  const apiServer = overrides.apiServer
    ? undefined
    : await discoverApiServer(client, kubeadm?.controlPlaneEndpoint?.value);
  return resolveClusterFacts(
    {
      ...(serviceCidrObjects ? { serviceCidrObjects } : {}),
      ...(kubeadm ? { kubeadm } : {}),
      nodes,
      ...(apiServer ? { apiServer } : {}),
    },
    overrides,
  );
}

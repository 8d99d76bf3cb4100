import {
  addressBits,
  type Cidr,
  cidrOf,
  formatCidr,
  type IpFamily,
  ipFromBigInt,
  type KubeClient,
  type Node,
  nodePodCidrs,
} from '@loom-net/core';
import { listItems } from '../cluster/kube-calls.ts';
import type { DiscoveredFact } from './discovered-fact.ts';

/** What the Nodes' `spec.podCIDRs` say: who allocates them, and what they hint at. */
export interface NodePodCidrFacts {
  readonly nodes: number;
  /** Nodes that have a podCIDR (allocated by kube-controller-manager or kubeadm). */
  readonly allocated: number;
  readonly nodesWithout: readonly string[];
  /** Each node's pod CIDRs as text, for consistency checks. */
  readonly podCidrsByNode: ReadonlyMap<string, readonly string[]>;
  /**
   * The narrowest block holding every node's pod CIDR, per family, widened to at least a /16
   * (/48 for IPv6): a guess at the cluster CIDR, used only when nothing says it outright.
   */
  readonly clusterCidrGuess?: DiscoveredFact<string[]>;
  /** The nodes' pod CIDR prefix length per family (`node-cidr-mask-size`), the first family's. */
  readonly maskSize?: DiscoveredFact<number>;
}

const WIDEST_GUESS: Record<IpFamily, number> = { 4: 16, 6: 48 };

export function nodePodCidrFactsFrom(nodes: readonly Node[]): NodePodCidrFacts {
  const blocks = nodes.map((node) => ({ node, cidrs: nodePodCidrs(node).cidrs }));
  const withCidrs = blocks.filter((b) => b.cidrs.length > 0);
  const nodesWithout = blocks
    .filter((b) => b.cidrs.length === 0)
    .map((b) => b.node.metadata?.name ?? '?');
  const all = withCidrs.flatMap((b) => b.cidrs);
  const podCidrsByNode = new Map(
    withCidrs.map((b) => [b.node.metadata?.name ?? '?', b.cidrs.map(formatCidr)] as const),
  );
  const facts = { nodes: nodes.length, allocated: withCidrs.length, nodesWithout, podCidrsByNode };
  if (all.length === 0) return facts;
  const guess = ([4, 6] as const).flatMap((family) => {
    const same = all.filter((cidr) => cidr.family === family);
    return same.length === 0 ? [] : [formatCidr(commonSupernet(same, WIDEST_GUESS[family]))];
  });
  const source = `spec.podCIDRs of ${withCidrs.length} node(s)`;
  return {
    ...facts,
    clusterCidrGuess: {
      value: guess,
      source,
      caveat:
        "a guess (the smallest block holding every node's podCIDR, at least a /16): pass --cluster-cidr to be sure",
    },
    maskSize: { value: all[0]?.prefix ?? 24, source },
  };
}

/** The longest prefix shared by every block, but never longer than `widest`. */
export function commonSupernet(cidrs: readonly Cidr[], widest: number): Cidr {
  const first = cidrs[0];
  if (!first) throw new TypeError('commonSupernet needs at least one CIDR');
  let prefix = Math.min(widest, ...cidrs.map((cidr) => cidr.prefix));
  const bits = addressBits(first.family);
  while (prefix > 0) {
    const mask = ((1n << BigInt(prefix)) - 1n) << BigInt(bits - prefix);
    if (cidrs.every((cidr) => (cidr.network & mask) === (first.network & mask))) break;
    prefix--;
  }
  return cidrOf(ipFromBigInt(first.family, first.network), prefix);
}

export async function discoverNodePodCidrs(client: KubeClient): Promise<NodePodCidrFacts> {
  return nodePodCidrFactsFrom(await listItems<Node>(client, '/api/v1/nodes'));
}

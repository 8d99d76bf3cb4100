import {
  type Cidr,
  createNftTransaction,
  formatCidr,
  type NftTransaction,
  nftAnonymousSet,
} from '@loom-net/core';

const MULTICAST = { 4: '224.0.0.0/4', 6: 'ff00::/8' } as const;

/** The one rule per family: pod traffic to anywhere outside the cluster CIDR, not multicast. */
function egressRules(clusterCidrs: readonly Cidr[]): string[] {
  return ([4, 6] as const).flatMap((family) => {
    const cidrs = clusterCidrs.filter((cidr) => cidr.family === family).map(formatCidr);
    if (cidrs.length === 0) return [];
    const ip = family === 4 ? 'ip' : 'ip6';
    const inside = nftAnonymousSet([...cidrs, MULTICAST[family]]);
    return [
      `${ip} saddr ${nftAnonymousSet(cidrs)} ${ip} daddr != ${inside} counter masquerade fully-random`,
    ];
  });
}

/**
 * The pod egress masquerade as one `nft -f` transaction that replaces the agent's table:
 * destroying it first (add, then delete) makes the delete valid on a fresh node, so the
 * whole transaction applies atomically whether or not the table existed. Traffic from the
 * cluster CIDR to anywhere outside it (and not multicast) leaves with the node's address;
 * pod-to-pod traffic, including to pods on other nodes, keeps its source (the Kubernetes
 * network model).
 */
export function masqueradeTransaction(
  table: string,
  clusterCidrs: readonly Cidr[],
): NftTransaction {
  const tx = createNftTransaction({ family: 'inet', name: table })
    .destroy({ kind: 'table' })
    .add({ kind: 'table' })
    .add({
      kind: 'chain',
      name: 'postrouting',
      base: { type: 'nat', hook: 'postrouting', priority: 'srcnat', policy: 'accept' },
    });
  for (const rule of egressRules(clusterCidrs)) {
    tx.add({ kind: 'rule', chain: 'postrouting', rule, comment: 'pod egress leaving the cluster' });
  }
  return tx;
}

/** masqueradeTransaction as `nft -f` text. */
export function renderMasqueradeRuleset(table: string, clusterCidrs: readonly Cidr[]): string {
  return masqueradeTransaction(table, clusterCidrs).text();
}

import { type Cidr, formatCidr } from '@loom-net/core';

const MULTICAST = { 4: '224.0.0.0/4', 6: 'ff00::/8' } as const;

/**
 * The pod egress masquerade as one `nft -f` transaction that replaces the agent's table:
 * creating it first makes the `delete` valid on a fresh node, so the whole text applies
 * atomically whether or not the table existed. Traffic from the cluster CIDR to anywhere
 * outside it (and not multicast) leaves with the node's address; pod-to-pod traffic,
 * including to pods on other nodes, keeps its source (the Kubernetes network model).
 */
export function renderMasqueradeRuleset(table: string, clusterCidrs: readonly Cidr[]): string {
  const rules = ([4, 6] as const).flatMap((family) => {
    const cidrs = clusterCidrs.filter((cidr) => cidr.family === family).map(formatCidr);
    if (cidrs.length === 0) return [];
    const ip = family === 4 ? 'ip' : 'ip6';
    const source = cidrs.length === 1 ? cidrs[0] : `{ ${cidrs.join(', ')} }`;
    const inside = `{ ${[...cidrs, MULTICAST[family]].join(', ')} }`;
    return [
      `\t\t${ip} saddr ${source} ${ip} daddr != ${inside} counter masquerade fully-random comment "pod egress leaving the cluster"`,
    ];
  });
  return [
    `table inet ${table} {}`,
    `delete table inet ${table}`,
    `table inet ${table} {`,
    '\tchain postrouting {',
    '\t\ttype nat hook postrouting priority srcnat; policy accept;',
    ...rules,
    '\t}',
    '}',
    '',
  ].join('\n');
}

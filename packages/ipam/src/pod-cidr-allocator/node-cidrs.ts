import { type Cidr, type KubeObject, parseCidr } from '@loom-net/core';

/** The Node fields the allocator reads and writes (structural: a V1Node fits). */
export interface NodeObject extends KubeObject {
  metadata?: KubeObject['metadata'] & { deletionTimestamp?: string };
  spec?: { podCIDR?: string; podCIDRs?: string[]; [key: string]: unknown };
  [key: string]: unknown;
}

/** spec.podCIDRs, else the legacy spec.podCIDR; unparsable entries are left out. */
export function podCidrsOf(node: NodeObject): Cidr[] {
  const texts = node.spec?.podCIDRs?.length
    ? node.spec.podCIDRs
    : node.spec?.podCIDR
      ? [node.spec.podCIDR]
      : [];
  return texts.flatMap((text) => {
    try {
      return [parseCidr(text, { maskHostBits: true })];
    } catch {
      return [];
    }
  });
}

/** Whether the Node still needs pod CIDRs (has none, and is not being deleted). */
export function needsPodCidrs(node: NodeObject): boolean {
  const spec = node.spec;
  const has = Boolean(spec?.podCIDR) || (spec?.podCIDRs?.length ?? 0) > 0;
  return !has && node.metadata?.deletionTimestamp === undefined;
}

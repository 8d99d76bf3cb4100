import { hasPodCidrs, type Node } from '@loom-net/core';

/** Whether the Node still needs pod CIDRs (names none, and is not being deleted). */
export function needsPodCidrs(node: Node): boolean {
  return !hasPodCidrs(node) && node.metadata?.deletionTimestamp === undefined;
}

/** What an allocator reacts to in a Node update: its pod CIDRs, and whether it is going.
 * Anything else (status, labels, heartbeats) leaves the allocation as it is. */
export function allocationState(node: Node): string {
  const spec = node.spec;
  const deleting = node.metadata?.deletionTimestamp !== undefined;
  return `${spec?.podCIDRs?.join(',') ?? ''}|${spec?.podCIDR ?? ''}|${deleting}`;
}

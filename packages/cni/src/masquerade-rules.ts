import { formatCidr, formatIp } from '@loom-net/core/net';
import { type CniAttachment, type InterfaceAddress, subnetOf } from '@loom-net/ipam';
import { nameHash } from './name-hash.ts';

/**
 * ipMasq as nftables state: per network, a set of pod addresses, a set of the pod subnets and
 * one postrouting chain that masquerades traffic from a pod address to anything outside the
 * pod subnets (multicast excepted), the reference bridge plugin's rule. A pod is one set
 * element, commented with its attachment, so ADD and DEL touch only their own element, and
 * parallel ADDs never race on rules.
 */
export const MASQ_TABLE = 'loom-cni';

export interface MasqNames {
  chain: string;
  pods4: string;
  nets4: string;
  pods6: string;
  nets6: string;
}

/** Set and chain names for a network; hashed, since network names may not be nft identifiers. */
export function masqNames(network: string): MasqNames {
  const h = nameHash(network).slice(0, 12);
  return {
    chain: `masq-${h}`,
    pods4: `pods4-${h}`,
    nets4: `nets4-${h}`,
    pods6: `pods6-${h}`,
    nets6: `nets6-${h}`,
  };
}

// nft keeps at most 128 bytes of comment; a longer attachment is named by its digest.
const MAX_COMMENT = 128;

/** The element comment that ties a pod address to its attachment. */
export function attachmentComment(attachment: CniAttachment): string {
  const text = `${attachment.containerId}/${attachment.ifname}`;
  if (Buffer.byteLength(text) <= MAX_COMMENT && /^[A-Za-z0-9_./-]+$/.test(text)) return text;
  return `fnv64:${nameHash(text)}`;
}

/** The transaction ADD applies: declare everything (idempotent), rewrite the chain, add the pod. */
export function masqAddScript(
  network: string,
  attachment: CniAttachment,
  addresses: readonly InterfaceAddress[],
): string {
  const n = masqNames(network);
  const t = `inet ${MASQ_TABLE}`;
  const comment = JSON.stringify(attachmentComment(attachment));
  const lines = [
    `add table ${t}`,
    `add set ${t} ${n.pods4} { type ipv4_addr; comment ${JSON.stringify(`pods of network ${network}`)}; }`,
    `add set ${t} ${n.nets4} { type ipv4_addr; flags interval; }`,
    `add set ${t} ${n.pods6} { type ipv6_addr; comment ${JSON.stringify(`pods of network ${network}`)}; }`,
    `add set ${t} ${n.nets6} { type ipv6_addr; flags interval; }`,
    `add chain ${t} ${n.chain} { type nat hook postrouting priority srcnat; policy accept; }`,
    // Flushing and re-adding in one transaction keeps exactly these two rules, whoever runs last.
    `flush chain ${t} ${n.chain}`,
    `add rule ${t} ${n.chain} ip saddr @${n.pods4} ip daddr != @${n.nets4} ip daddr != 224.0.0.0/4 masquerade`,
    `add rule ${t} ${n.chain} ip6 saddr @${n.pods6} ip6 daddr != @${n.nets6} ip6 daddr != ff00::/8 masquerade`,
  ];
  for (const address of addresses) {
    const v4 = address.ip.family === 4;
    lines.push(
      `add element ${t} ${v4 ? n.pods4 : n.pods6} { ${formatIp(address.ip)} comment ${comment} }`,
    );
    lines.push(`add element ${t} ${v4 ? n.nets4 : n.nets6} { ${formatCidr(subnetOf(address))} }`);
  }
  return `${lines.join('\n')}\n`;
}

/** One pod address found in a network's sets. */
export interface MasqElement {
  set: string;
  address: string;
  comment: string | undefined;
}

/** The pod elements of `network` in an `nft -j list table` answer. */
export function masqElements(entries: readonly unknown[], network: string): MasqElement[] {
  const n = masqNames(network);
  const elements: MasqElement[] = [];
  for (const entry of entries) {
    const set = (entry as { set?: { name?: string; elem?: unknown[] } }).set;
    if (set?.name !== n.pods4 && set?.name !== n.pods6) continue;
    for (const item of set.elem ?? []) {
      if (typeof item === 'string')
        elements.push({ set: set.name, address: item, comment: undefined });
      const elem = (item as { elem?: { val?: unknown; comment?: unknown } }).elem;
      if (elem && typeof elem.val === 'string') {
        elements.push({
          set: set.name,
          address: elem.val,
          comment: typeof elem.comment === 'string' ? elem.comment : undefined,
        });
      }
    }
  }
  return elements;
}

/** A transaction deleting the given elements; empty when there is nothing to delete. */
export function masqDeleteScript(elements: readonly MasqElement[]): string {
  return elements
    .map((e) => `delete element inet ${MASQ_TABLE} ${e.set} { ${e.address} }\n`)
    .join('');
}

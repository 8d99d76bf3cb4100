import { type CniAttachment, type InterfaceAddress, subnetOf } from '@loom-net/cni-spec';
import {
  createNftTransaction,
  type NftJsonEntry,
  type NftJsonSet,
  type NftTableRef,
  type NftTransaction,
  nftSetState,
} from '@loom-net/core/kernel';
import { formatCidr, formatIp } from '@loom-net/core/net';
import { nameHash } from './name-hash.ts';

/**
 * ipMasq as nftables state: per network, a set of pod addresses, a set of the pod subnets and
 * one postrouting chain that masquerades traffic from a pod address to anything outside the
 * pod subnets (multicast excepted), the reference bridge plugin's rule. A pod is one set
 * element, commented with its attachment, so ADD and DEL touch only their own element, and
 * parallel ADDs never race on rules.
 */
export const MASQ_TABLE = 'loom-cni';
const TABLE: NftTableRef = { family: 'inet', name: MASQ_TABLE };

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
export function masqAddTransaction(
  network: string,
  attachment: CniAttachment,
  addresses: readonly InterfaceAddress[],
): NftTransaction {
  const n = masqNames(network);
  const pods = `pods of network ${network}`;
  const tx = createNftTransaction(TABLE)
    .add({ kind: 'table' })
    .add({ kind: 'set', name: n.pods4, type: 'ipv4_addr', comment: pods })
    .add({ kind: 'set', name: n.nets4, type: 'ipv4_addr', flags: ['interval'] })
    .add({ kind: 'set', name: n.pods6, type: 'ipv6_addr', comment: pods })
    .add({ kind: 'set', name: n.nets6, type: 'ipv6_addr', flags: ['interval'] })
    .add({
      kind: 'chain',
      name: n.chain,
      base: { type: 'nat', hook: 'postrouting', priority: 'srcnat', policy: 'accept' },
    })
    // Flushing and re-adding in one transaction keeps exactly these two rules, whoever runs last.
    .flush({ kind: 'chain', name: n.chain })
    .add({
      kind: 'rule',
      chain: n.chain,
      rule: `ip saddr @${n.pods4} ip daddr != @${n.nets4} ip daddr != 224.0.0.0/4 masquerade`,
    })
    .add({
      kind: 'rule',
      chain: n.chain,
      rule: `ip6 saddr @${n.pods6} ip6 daddr != @${n.nets6} ip6 daddr != ff00::/8 masquerade`,
    });
  const comment = attachmentComment(attachment);
  for (const address of addresses) {
    const v4 = address.ip.family === 4;
    const key = formatIp(address.ip);
    tx.add({ kind: 'element', set: v4 ? n.pods4 : n.pods6, key, comment });
    tx.add({ kind: 'element', set: v4 ? n.nets4 : n.nets6, key: formatCidr(subnetOf(address)) });
  }
  return tx;
}

/** One pod address found in a network's sets. */
export interface MasqElement {
  set: string;
  address: string;
  comment: string | undefined;
}

/** The pod elements of `network` in an `nft -j list table` answer. */
export function masqElements(entries: readonly NftJsonEntry[], network: string): MasqElement[] {
  const n = masqNames(network);
  const elements: MasqElement[] = [];
  for (const entry of entries) {
    const set = entry.set as NftJsonSet | undefined;
    if (set?.name !== n.pods4 && set?.name !== n.pods6) continue;
    for (const element of nftSetState(set).elements) {
      elements.push({ set: set.name, address: element.key.join(' . '), comment: element.comment });
    }
  }
  return elements;
}

/** A transaction deleting the given elements; empty when there is nothing to delete. */
export function masqDeleteTransaction(elements: readonly MasqElement[]): NftTransaction {
  const tx = createNftTransaction(TABLE);
  for (const e of elements) tx.delete({ kind: 'element', set: e.set, key: e.address });
  return tx;
}

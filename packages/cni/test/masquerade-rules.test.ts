import { parseInterfaceAddress } from '@loom-net/cni-spec';
import { describe, expect, it } from 'vitest';
import {
  attachmentComment,
  masqAddTransaction,
  masqDeleteTransaction,
  masqElements,
  masqNames,
} from '../src/masquerade-rules.ts';

describe('masquerade rules', () => {
  const names = masqNames('net1');

  it('adds the pod to its network sets and rewrites the chain in one transaction', () => {
    const script = masqAddTransaction('net1', { containerId: 'c1', ifname: 'eth0' }, [
      parseInterfaceAddress('10.244.1.5/24'),
      parseInterfaceAddress('fd00::5/64'),
    ]).text();
    expect(script.split('\n')).toEqual([
      'add table inet loom-cni',
      `add set inet loom-cni ${names.pods4} { type ipv4_addr; comment "pods of network net1"; }`,
      `add set inet loom-cni ${names.nets4} { type ipv4_addr; flags interval; }`,
      `add set inet loom-cni ${names.pods6} { type ipv6_addr; comment "pods of network net1"; }`,
      `add set inet loom-cni ${names.nets6} { type ipv6_addr; flags interval; }`,
      `add chain inet loom-cni ${names.chain} { type nat hook postrouting priority srcnat; policy accept; }`,
      `flush chain inet loom-cni ${names.chain}`,
      `add rule inet loom-cni ${names.chain} ip saddr @${names.pods4} ip daddr != @${names.nets4} ip daddr != 224.0.0.0/4 masquerade`,
      `add rule inet loom-cni ${names.chain} ip6 saddr @${names.pods6} ip6 daddr != @${names.nets6} ip6 daddr != ff00::/8 masquerade`,
      `add element inet loom-cni ${names.pods4} { 10.244.1.5 comment "c1/eth0" }`,
      `add element inet loom-cni ${names.nets4} { 10.244.1.0/24 }`,
      `add element inet loom-cni ${names.pods6} { fd00::5 comment "c1/eth0" }`,
      `add element inet loom-cni ${names.nets6} { fd00::/64 }`,
      '',
    ]);
  });

  it('gives each network its own names', () => {
    expect(masqNames('net2').chain).not.toBe(names.chain);
    expect(names.chain).toMatch(/^masq-[0-9a-f]{12}$/);
  });

  it('names a long attachment by digest to fit nft comments', () => {
    const long = attachmentComment({ containerId: 'a'.repeat(200), ifname: 'eth0' });
    expect(long).toMatch(/^fnv64:[0-9a-f]{16}$/);
  });

  it("reads the network's pod elements from nft -j output", () => {
    const listing = [
      { table: { family: 'inet', name: 'loom-cni' } },
      {
        set: {
          name: names.pods4,
          elem: [{ elem: { val: '10.244.1.5', comment: 'c1/eth0' } }, '10.244.1.6'],
        },
      },
      { set: { name: names.nets4, elem: [{ prefix: { addr: '10.244.1.0', len: 24 } }] } },
      {
        set: {
          name: masqNames('other').pods4,
          elem: [{ elem: { val: '10.9.9.9', comment: 'x/eth0' } }],
        },
      },
    ];
    const elements = masqElements(listing, 'net1');
    expect(elements).toEqual([
      { set: names.pods4, address: '10.244.1.5', comment: 'c1/eth0' },
      { set: names.pods4, address: '10.244.1.6', comment: undefined },
    ]);
    expect(masqDeleteTransaction(elements).text()).toBe(
      `delete element inet loom-cni ${names.pods4} { 10.244.1.5 }\ndelete element inet loom-cni ${names.pods4} { 10.244.1.6 }\n`,
    );
  });
});

import { describe, expect, it } from 'vitest';
import {
  createNftTransaction,
  isNftInputError,
  type NftTransaction,
  nftAnonymousSet,
} from '../../../src/kernel/index.ts';

const table = { family: 'inet', name: 'loom-t' } as const;
const tx = () => createNftTransaction(table);

describe('NftTransaction text (golden)', () => {
  const cases: Array<[string, (t: NftTransaction) => unknown, string]> = [
    ['a table', (t) => t.add({ kind: 'table' }), 'add table inet loom-t'],
    [
      'a table with a comment',
      (t) => t.add({ kind: 'table', comment: 'rules of loom' }),
      'add table inet loom-t { comment "rules of loom"; }',
    ],
    ['flushing a table', (t) => t.flush({ kind: 'table' }), 'flush table inet loom-t'],
    ['deleting a table', (t) => t.delete({ kind: 'table' }), 'delete table inet loom-t'],
    [
      'a regular chain',
      (t) => t.add({ kind: 'chain', name: 'services' }),
      'add chain inet loom-t services',
    ],
    [
      'a base chain',
      (t) =>
        t.add({
          kind: 'chain',
          name: 'nat-prerouting',
          base: { type: 'nat', hook: 'prerouting', priority: 'dstnat', policy: 'accept' },
        }),
      'add chain inet loom-t nat-prerouting { type nat hook prerouting priority dstnat; policy accept; }',
    ],
    [
      'a base chain at a numeric priority, with a comment, created',
      (t) =>
        t.create({
          kind: 'chain',
          name: 'filter-input',
          base: { type: 'filter', hook: 'input', priority: -110 },
          comment: 'before conntrack',
        }),
      'create chain inet loom-t filter-input { type filter hook input priority -110; comment "before conntrack"; }',
    ],
    [
      'flushing a chain',
      (t) => t.flush({ kind: 'chain', name: 'services' }),
      'flush chain inet loom-t services',
    ],
    [
      'a set with flags and a comment',
      (t) =>
        t.add({
          kind: 'set',
          name: 'nets4',
          type: 'ipv4_addr',
          flags: ['interval'],
          comment: 'pod subnets',
        }),
      'add set inet loom-t nets4 { type ipv4_addr; flags interval; comment "pod subnets"; }',
    ],
    [
      'a set whose elements time out',
      (t) =>
        t.add({
          kind: 'set',
          name: 'affinity',
          type: ['ipv4_addr', 'ipv4_addr'],
          flags: ['dynamic', 'timeout'],
          timeoutSeconds: 10800,
        }),
      'add set inet loom-t affinity { type ipv4_addr . ipv4_addr; flags dynamic,timeout; timeout 10800s; }',
    ],
    [
      'a verdict map with a concatenated key',
      (t) =>
        t.add({
          kind: 'map',
          name: 'service-ips',
          type: ['ipv4_addr', 'inet_proto', 'inet_service'],
          value: 'verdict',
        }),
      'add map inet loom-t service-ips { type ipv4_addr . inet_proto . inet_service : verdict; }',
    ],
    [
      'a data map',
      (t) =>
        t.add({
          kind: 'map',
          name: 'backends',
          type: ['ipv4_addr', 'inet_service', 'mark'],
          value: ['ipv4_addr', 'inet_service'],
        }),
      'add map inet loom-t backends { type ipv4_addr . inet_service . mark : ipv4_addr . inet_service; }',
    ],
    [
      'deleting a map',
      (t) => t.delete({ kind: 'map', name: 'backends' }),
      'delete map inet loom-t backends',
    ],
    [
      'flushing a set',
      (t) => t.flush({ kind: 'set', name: 'nets4' }),
      'flush set inet loom-t nets4',
    ],
    [
      'a set element with a comment',
      (t) => t.add({ kind: 'element', set: 'pods4', key: '10.244.1.5', comment: 'c1/eth0' }),
      'add element inet loom-t pods4 { 10.244.1.5 comment "c1/eth0" }',
    ],
    [
      'a verdict map element',
      (t) =>
        t.add({
          kind: 'element',
          set: 'service-ips',
          key: ['10.96.0.10', 'udp', '53'],
          value: 'goto svc-dns',
          comment: 'kube-system/kube-dns:dns',
        }),
      'add element inet loom-t service-ips { 10.96.0.10 . udp . 53 comment "kube-system/kube-dns:dns" : goto svc-dns }',
    ],
    [
      'a data map element that times out',
      (t) =>
        t.create({
          kind: 'element',
          set: 'backends',
          key: ['10.96.0.1', '443', '0'],
          value: ['192.168.1.10', '6443'],
          timeoutSeconds: 30,
        }),
      'create element inet loom-t backends { 10.96.0.1 . 443 . 0 timeout 30s : 192.168.1.10 . 6443 }',
    ],
    [
      'deleting a map element (by key; the value is not written)',
      (t) =>
        t.delete({
          kind: 'element',
          set: 'service-ips',
          key: ['10.96.0.10', 'udp', '53'],
          value: 'drop',
        }),
      'delete element inet loom-t service-ips { 10.96.0.10 . udp . 53 }',
    ],
    [
      'a rule with a comment',
      (t) =>
        t.add({
          kind: 'rule',
          chain: 'postrouting',
          rule: `ip saddr 10.244.0.0/16 ip daddr != ${nftAnonymousSet(['10.244.0.0/16', '224.0.0.0/4'])} masquerade`,
          comment: 'pod egress',
        }),
      'add rule inet loom-t postrouting ip saddr 10.244.0.0/16 ip daddr != { 10.244.0.0/16, 224.0.0.0/4 } masquerade comment "pod egress"',
    ],
    [
      'a rule first in its chain',
      (t) => t.insert({ kind: 'rule', chain: 'services', rule: 'ct state invalid drop' }),
      'insert rule inet loom-t services ct state invalid drop',
    ],
    [
      'deleting a rule by handle',
      (t) => t.delete({ kind: 'rule', chain: 'services', handle: 7 }),
      'delete rule inet loom-t services handle 7',
    ],
  ];

  it.each(cases)('%s', (_, build, line) => {
    const t = tx();
    build(t);
    expect(t.text()).toBe(`${line}\n`);
    expect(t.size).toBe(1);
  });

  it('renders operations in the order added, one line each', () => {
    const t = tx()
      .add({ kind: 'table' })
      .add({ kind: 'chain', name: 'services' })
      .flush({ kind: 'chain', name: 'services' })
      .add({ kind: 'rule', chain: 'services', rule: 'accept' });
    expect(t.text().split('\n')).toEqual([
      'add table inet loom-t',
      'add chain inet loom-t services',
      'flush chain inet loom-t services',
      'add rule inet loom-t services accept',
      '',
    ]);
    expect(t.size).toBe(4);
    expect(t.operations.map((o) => o.verb)).toEqual(['add', 'add', 'flush', 'add']);
  });

  it('is empty text with no operations', () => {
    expect(tx().text()).toBe('');
    expect(tx().size).toBe(0);
  });

  it('destroys as add then delete (nft 1.0.6 has no destroy): two operations', () => {
    const t = tx()
      .destroy({ kind: 'table' })
      .destroy({
        kind: 'chain',
        name: 'nat-postrouting',
      })
      .destroy({ kind: 'set', name: 'nets4', type: 'ipv4_addr', flags: ['interval'] });
    expect(t.text().split('\n')).toEqual([
      'add table inet loom-t',
      'delete table inet loom-t',
      'add chain inet loom-t nat-postrouting',
      'delete chain inet loom-t nat-postrouting',
      'add set inet loom-t nets4 { type ipv4_addr; flags interval; }',
      'delete set inet loom-t nets4',
      '',
    ]);
    expect(t.size).toBe(6);
  });

  it('renders 50,000 map elements as 50,000 lines (rendering is one join, linear)', () => {
    const t = tx();
    for (let i = 0; i < 50_000; i++) {
      t.add({
        kind: 'element',
        set: 'service-ips',
        key: [`10.96.${i >> 8}.${i & 255}`, 'tcp', '80'],
        value: `goto lb-${(i % 5) + 1}`,
      });
    }
    const lines = t.text().split('\n');
    expect(lines).toHaveLength(50_001);
    expect(lines[49_999]).toBe(
      'add element inet loom-t service-ips { 10.96.195.79 . tcp . 80 : goto lb-5 }',
    );
  });
});

describe('NftTransaction input checks', () => {
  const cases: Array<[string, (t: NftTransaction) => unknown, RegExp]> = [
    [
      'a chain name that is an nft keyword',
      (t) => t.add({ kind: 'chain', name: 'counter' }),
      /^invalid nft chain inet loom-t counter: "counter" is an nft keyword$/,
    ],
    [
      'a set name nft cannot read',
      (t) => t.add({ kind: 'set', name: '1pods', type: 'ipv4_addr' }),
      /^invalid nft set inet loom-t 1pods: "1pods" is not an nft name/,
    ],
    [
      'a map name longer than the kernel takes',
      (t) =>
        t.add({ kind: 'map', name: `m${'x'.repeat(255)}`, type: 'ipv4_addr', value: 'verdict' }),
      /the name is 256 bytes, the kernel takes at most 255$/,
    ],
    [
      'a comment longer than nft takes',
      (t) => t.add({ kind: 'rule', chain: 'c', rule: 'accept', comment: 'é'.repeat(65) }),
      /^invalid nft rule inet loom-t c: comment is 130 bytes, nft takes at most 128$/,
    ],
    [
      'a comment with a quote',
      (t) => t.add({ kind: 'element', set: 'pods4', key: '10.0.0.1', comment: 'a"b' }),
      /^invalid nft element inet loom-t pods4 \{ 10\.0\.0\.1 \}: comment "a\\"b" holds a quote/,
    ],
    [
      'a rule that would end the command early',
      (t) => t.add({ kind: 'rule', chain: 'c', rule: 'accept; flush ruleset' }),
      /holds a newline, ';' or '#'/,
    ],
    ['an empty rule', (t) => t.add({ kind: 'rule', chain: 'c', rule: ' ' }), /the rule is empty/],
    [
      'a key part that would end the element list',
      (t) => t.add({ kind: 'element', set: 's', key: ['10.0.0.1 }, 10.0.0.2'] }),
      /key part "10\.0\.0\.1 }, 10\.0\.0\.2" is not one nft value/,
    ],
    [
      'a verdict to a chain nft cannot name',
      (t) => t.add({ kind: 'element', set: 'm', key: '10.0.0.1', value: 'goto jump' }),
      /"jump" is an nft keyword/,
    ],
    [
      'a set declared without a type',
      (t) => t.add({ kind: 'set', name: 's', type: [] }),
      /^invalid nft set inet loom-t s: the key type is empty$/,
    ],
    [
      'a timeout that is not whole seconds',
      (t) => t.add({ kind: 'set', name: 's', type: 'ipv4_addr', timeoutSeconds: 1.5 }),
      /timeout 1\.5 is not a whole number of seconds above 0/,
    ],
    [
      'a verb nft does not have for the object',
      // @ts-expect-error: flush takes no element, as nft has no `flush element`
      (t) => t.flush({ kind: 'element', set: 's', key: '10.0.0.1' }),
      /nft has no "flush element"/,
    ],
    [
      'a rule deleted without its handle',
      // @ts-expect-error: delete takes a rule by handle
      (t) => t.delete({ kind: 'rule', chain: 'c', rule: 'accept' }),
      /a rule is deleted by its handle/,
    ],
  ];

  it.each(cases)('refuses %s, naming the object', (_, build, message) => {
    const t = tx();
    let error: unknown;
    try {
      build(t);
    } catch (e) {
      error = e;
    }
    expect(isNftInputError(error)).toBe(true);
    expect((error as Error).message).toMatch(message);
    expect(t.size).toBe(0);
  });

  it('checks the table name when the transaction is made', () => {
    expect(() => createNftTransaction({ family: 'inet', name: 'table' })).toThrow(
      'invalid nft table inet table: "table" is an nft keyword',
    );
  });
});

describe('nftAnonymousSet', () => {
  it('writes one value bare and several in braces', () => {
    expect(nftAnonymousSet(['10.0.0.0/8'])).toBe('10.0.0.0/8');
    expect(nftAnonymousSet(['10.0.0.0/8', 'fd00::/8'])).toBe('{ 10.0.0.0/8, fd00::/8 }');
  });
});

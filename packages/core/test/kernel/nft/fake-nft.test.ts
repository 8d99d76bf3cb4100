import { describe, expect, it } from 'vitest';
import {
  createNftTransaction,
  isKernelCommandError,
  type KernelErrorReason,
  type NftTransaction,
  nftErrorLine,
} from '../../../src/kernel/index.ts';
import { createFakeNft, ruleReferences } from '../../../src/testing/index.ts';

const table = { family: 'inet', name: 'loom-t' } as const;
const tx = () => createNftTransaction(table);

/** A table with a set, a verdict map, a regular chain and a base chain. */
function base(): NftTransaction {
  return tx()
    .add({ kind: 'table' })
    .add({ kind: 'set', name: 'pods4', type: 'ipv4_addr' })
    .add({ kind: 'map', name: 'services', type: 'ipv4_addr', value: 'verdict' })
    .add({ kind: 'chain', name: 'svc-a' })
    .add({
      kind: 'chain',
      name: 'nat-post',
      base: { type: 'nat', hook: 'postrouting', priority: 'srcnat', policy: 'accept' },
    });
}

describe('createFakeNft refuses what the kernel refuses', () => {
  const cases: Array<[string, (t: NftTransaction) => unknown, KernelErrorReason, RegExp]> = [
    [
      'a chain in a missing table',
      (t) => t.delete({ kind: 'table' }).add({ kind: 'chain', name: 'c' }),
      'not-found',
      /there is no table inet loom-t/,
    ],
    [
      'a rule in a missing chain',
      (t) => t.add({ kind: 'rule', chain: 'c', rule: 'accept' }),
      'not-found',
      /there is no chain c/,
    ],
    [
      'a jump to a missing chain',
      (t) => t.add({ kind: 'rule', chain: 'svc-a', rule: 'jump svc-b' }),
      'not-found',
      /there is no chain svc-b/,
    ],
    [
      'a jump to a base chain',
      (t) => t.add({ kind: 'rule', chain: 'svc-a', rule: 'goto nat-post' }),
      'invalid',
      /nat-post is a base chain/,
    ],
    [
      'a lookup of a missing set',
      (t) => t.add({ kind: 'rule', chain: 'svc-a', rule: 'ip saddr @pods6 accept' }),
      'not-found',
      /there is no set or map pods6/,
    ],
    [
      'a set used as a verdict map',
      (t) => t.add({ kind: 'rule', chain: 'svc-a', rule: 'ip daddr vmap @pods4' }),
      'unknown',
      /pods4 is a set, not a map/,
    ],
    [
      'deleting a missing chain',
      (t) => t.delete({ kind: 'chain', name: 'svc-b' }),
      'not-found',
      /there is no chain svc-b/,
    ],
    [
      'deleting a chain a rule jumps to',
      (t) =>
        t
          .add({ kind: 'chain', name: 'svc-b' })
          .add({ kind: 'rule', chain: 'svc-b', rule: 'jump svc-a' })
          .delete({ kind: 'chain', name: 'svc-a' }),
      'busy',
      /chain svc-a is still the target of a rule in chain svc-b/,
    ],
    [
      'deleting a chain a map element goes to',
      (t) =>
        t
          .add({ kind: 'element', set: 'services', key: '10.96.0.1', value: 'goto svc-a' })
          .delete({ kind: 'chain', name: 'svc-a' }),
      'busy',
      /still the target of element \{ 10\.96\.0\.1 \} of map services/,
    ],
    [
      'deleting a set a rule uses',
      (t) =>
        t
          .add({ kind: 'rule', chain: 'nat-post', rule: 'ip saddr @pods4 masquerade' })
          .delete({ kind: 'set', name: 'pods4' }),
      'busy',
      /set pods4 is still used by a rule in chain nat-post/,
    ],
    [
      'deleting a missing element',
      (t) => t.delete({ kind: 'element', set: 'pods4', key: '10.0.0.9' }),
      'not-found',
      /pods4 has no element \{ 10\.0\.0\.9 \}/,
    ],
    [
      'an element of a missing set',
      (t) => t.add({ kind: 'element', set: 'pods6', key: 'fd00::1' }),
      'not-found',
      /there is no set or map pods6/,
    ],
    [
      'creating an element that exists',
      (t) =>
        t
          .add({ kind: 'element', set: 'pods4', key: '10.0.0.1' })
          .create({ kind: 'element', set: 'pods4', key: '10.0.0.1' }),
      'exists',
      /element \{ 10\.0\.0\.1 \} of pods4 exists/,
    ],
    [
      'adding a map element again with another value',
      (t) =>
        t
          .add({ kind: 'element', set: 'services', key: '10.96.0.1', value: 'goto svc-a' })
          .add({ kind: 'element', set: 'services', key: '10.96.0.1', value: 'drop' }),
      'exists',
      /exists with another value/,
    ],
    [
      'a map element without a value',
      (t) => t.add({ kind: 'element', set: 'services', key: '10.96.0.1' }),
      'invalid',
      /needs a value/,
    ],
    [
      'a verdict to a missing chain',
      (t) => t.add({ kind: 'element', set: 'services', key: '10.96.0.1', value: 'jump svc-b' }),
      'not-found',
      /there is no chain svc-b/,
    ],
    [
      'a prefix in a set without flags interval',
      (t) => t.add({ kind: 'element', set: 'pods4', key: '10.0.0.0/8' }),
      'unknown',
      /has no interval flag/,
    ],
    [
      'an IPv6 address in an IPv4 set',
      (t) => t.add({ kind: 'element', set: 'pods4', key: 'fd00::1' }),
      'invalid',
      /fd00::1 is not an ipv4_addr/,
    ],
    [
      'creating a table that exists',
      (t) => t.create({ kind: 'table' }),
      'exists',
      /table inet loom-t exists/,
    ],
    [
      'adding a set again with other flags',
      (t) => t.add({ kind: 'set', name: 'pods4', type: 'ipv4_addr', flags: ['interval'] }),
      'exists',
      /set pods4 exists with another kind, type or flags/,
    ],
    [
      'a base chain redeclared with another priority',
      (t) =>
        t.add({
          kind: 'chain',
          name: 'nat-post',
          base: { type: 'nat', hook: 'postrouting', priority: 50 },
        }),
      'invalid',
      /cannot change its type, hook or priority/,
    ],
    [
      'flushing a map as a set',
      (t) => t.flush({ kind: 'set', name: 'services' }),
      'not-found',
      /there is no set services/,
    ],
    [
      'deleting a rule by a handle it does not have',
      (t) => t.delete({ kind: 'rule', chain: 'svc-a', handle: 99 }),
      'not-found',
      /no rule with handle 99/,
    ],
  ];

  it.each(cases)('%s', (_, build, reason, why) => {
    const nft = createFakeNft({ netns: 'loom-t-fake' });
    nft.applyNow(base());
    const before = nft.dump();
    const t = tx();
    build(t);
    let error: unknown;
    try {
      nft.applyNow(t);
    } catch (e) {
      error = e;
    }
    expect(isKernelCommandError(error, reason)).toBe(true);
    expect((error as Error).message).toMatch(why);
    expect((error as Error).message).toMatch(/nft -f - failed in netns loom-t-fake: /);
    // It points at the operation that failed, as nft does: the last one of each case.
    expect(nftErrorLine(error)).toBe(t.size);
    expect(nft.dump()).toBe(before);
    expect(nft.lastApplied).not.toBe(t);
  });
});

describe('createFakeNft applies what the kernel applies', () => {
  it('accepts the same operations the kernel accepts again (add is idempotent)', () => {
    const nft = createFakeNft();
    nft.applyNow(base());
    nft.applyNow(
      base()
        .add({ kind: 'element', set: 'pods4', key: '10.0.0.1' })
        .add({ kind: 'element', set: 'pods4', key: '10.0.0.1' }),
    );
    expect(nft.table('inet', 'loom-t')?.sets[0]?.elements).toEqual([{ key: ['10.0.0.1'] }]);
  });

  it('applies all of a transaction or none of it', () => {
    const nft = createFakeNft();
    const t = base().add({ kind: 'rule', chain: 'svc-a', rule: 'jump svc-z' });
    expect(() => nft.applyNow(t)).toThrow(/there is no chain svc-z/);
    expect(nft.tables()).toEqual([]);
    expect(nft.transactions).toEqual([t]);
    expect(nft.lastApplied).toBeUndefined();
  });

  it('deletes a chain once the rules and elements that jump to it are gone in the same transaction', () => {
    const nft = createFakeNft();
    nft.applyNow(
      base()
        .add({ kind: 'rule', chain: 'nat-post', rule: 'ip daddr vmap @services' })
        .add({ kind: 'element', set: 'services', key: '10.96.0.1', value: 'goto svc-a' }),
    );
    nft.applyNow(
      tx()
        .delete({ kind: 'element', set: 'services', key: '10.96.0.1' })
        .delete({ kind: 'chain', name: 'svc-a' })
        .flush({ kind: 'chain', name: 'nat-post' })
        .delete({ kind: 'map', name: 'services' }),
    );
    expect(nft.table('inet', 'loom-t')?.chains.map((c) => c.name)).toEqual(['nat-post']);
  });

  it("keeps an element's first comment when it is added again (as the kernel does)", () => {
    const nft = createFakeNft();
    nft.applyNow(base().add({ kind: 'element', set: 'pods4', key: '10.0.0.1', comment: 'a' }));
    nft.applyNow(tx().add({ kind: 'element', set: 'pods4', key: '10.0.0.1', comment: 'b' }));
    expect(nft.table('inet', 'loom-t')?.sets[0]?.elements[0]?.comment).toBe('a');
  });

  it('numbers chains, sets and rules per table as the kernel does, and deletes rules by handle', () => {
    const nft = createFakeNft();
    nft.applyNow(base().add({ kind: 'rule', chain: 'svc-a', rule: 'accept', comment: 'first' }));
    const rules = () => nft.table('inet', 'loom-t')?.chains[0]?.rules;
    expect(rules()).toEqual([{ handle: 5, text: 'accept', comment: 'first' }]);
    nft.applyNow(
      tx()
        .insert({ kind: 'rule', chain: 'svc-a', rule: 'drop' })
        .delete({ kind: 'rule', chain: 'svc-a', handle: 5 }),
    );
    expect(rules()).toEqual([{ handle: 6, text: 'drop' }]);
  });

  it('flushes a table of its rules and keeps its sets and elements', () => {
    const nft = createFakeNft();
    nft.applyNow(
      base()
        .add({ kind: 'rule', chain: 'svc-a', rule: 'ip saddr @pods4 accept' })
        .add({ kind: 'element', set: 'pods4', key: '10.0.0.1' }),
    );
    nft.applyNow(tx().flush({ kind: 'table' }).delete({ kind: 'set', name: 'pods4' }));
    const state = nft.table('inet', 'loom-t');
    expect(state?.chains.flatMap((c) => c.rules)).toEqual([]);
    expect(state?.sets.map((s) => s.name)).toEqual(['services']);
  });

  it('dumps the ruleset as nft lists it, normalized (golden)', () => {
    const nft = createFakeNft();
    nft.applyNow(
      base()
        .add({
          kind: 'set',
          name: 'nets4',
          type: 'ipv4_addr',
          flags: ['interval'],
          comment: 'pod subnets',
        })
        .add({ kind: 'element', set: 'nets4', key: '10.244.0.0/16' })
        .add({ kind: 'element', set: 'pods4', key: '10.244.1.6' })
        .add({ kind: 'element', set: 'pods4', key: '10.244.1.5', comment: 'c1/eth0' })
        .add({ kind: 'element', set: 'services', key: '10.96.0.1', value: 'goto svc-a' })
        .add({
          kind: 'rule',
          chain: 'nat-post',
          rule: 'ip saddr @pods4 ip daddr != @nets4 masquerade',
          comment: 'pod egress',
        })
        .add({ kind: 'rule', chain: 'svc-a', rule: 'counter' }),
    );
    expect(nft.dump()).toBe(
      [
        'table inet loom-t {',
        '\tset nets4 {',
        '\t\ttype ipv4_addr',
        '\t\tflags interval',
        '\t\tcomment "pod subnets"',
        '\t\telements = { 10.244.0.0/16 }',
        '\t}',
        '',
        '\tset pods4 {',
        '\t\ttype ipv4_addr',
        '\t\telements = { 10.244.1.5 comment "c1/eth0", 10.244.1.6 }',
        '\t}',
        '',
        '\tmap services {',
        '\t\ttype ipv4_addr : verdict',
        '\t\telements = { 10.96.0.1 : goto svc-a }',
        '\t}',
        '',
        '\tchain nat-post {',
        '\t\ttype nat hook postrouting priority srcnat; policy accept;',
        '\t\tip saddr @pods4 ip daddr != @nets4 masquerade comment "pod egress"',
        '\t}',
        '',
        '\tchain svc-a {',
        '\t\tcounter',
        '\t}',
        '}',
        '',
      ].join('\n'),
    );
  });
});

describe('ruleReferences', () => {
  it.each([
    [
      'ip saddr @pods4 ip daddr != @nets4 masquerade',
      { chains: [], sets: ['pods4', 'nets4'], maps: [] },
    ],
    [
      'ip daddr . meta l4proto . th dport vmap @service-ips',
      { chains: [], sets: ['service-ips'], maps: ['service-ips'] },
    ],
    ['meta l4proto tcp jump svc-a', { chains: ['svc-a'], sets: [], maps: [] }],
    [
      'ip daddr vmap { 10.0.0.1 : goto svc-a, 10.0.0.2 : jump svc-b }',
      { chains: ['svc-a', 'svc-b'], sets: [], maps: [] },
    ],
    ['iifname "jump x @y" accept', { chains: [], sets: [], maps: [] }],
  ])('%s', (rule, references) => {
    expect(ruleReferences(rule)).toEqual(references);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createNftApplier,
  createNftTransaction,
  isKernelCommandError,
  type KernelErrorReason,
  type NftApplier,
  type NftJsonEntry,
  type NftTableRef,
  type NftTransaction,
  nftErrorLine,
  nftJson,
  parseNftTables,
} from '../../../src/kernel/index.ts';
import type { TestNetns } from '../../../src/testing/index.ts';
import {
  canUseNetns,
  comparableNftTable,
  createFakeNft,
  createTestNetns,
  type FakeNft,
  kernelSuiteTitle,
} from '../../../src/testing/index.ts';

/**
 * The fake is only worth its unit tests if it accepts and refuses what the kernel does. Each
 * case runs the same transactions through the real nft (in a throwaway netns) and through the
 * fake: both must accept, or both refuse with the same reason at the same input line; and
 * after it, `nft -j list table` and the fake's state must hold the same objects (sets, maps
 * and their elements, chains with their hooks, rules by number, order and comment).
 */
interface AgreementCase {
  name: string;
  /** Applied first to both; both must accept it. */
  setup?: (tx: NftTransaction) => unknown;
  /** The transaction under test; when it is refused, its last operation is the culprit. */
  change: (tx: NftTransaction) => unknown;
  outcome: 'accepted' | KernelErrorReason;
}

/** A table with a set, an interval set, a verdict map, a regular chain and a base chain. */
function tableWithEverything(tx: NftTransaction): NftTransaction {
  return tx
    .add({ kind: 'table' })
    .add({ kind: 'set', name: 'pods4', type: 'ipv4_addr', comment: 'pods of network net1' })
    .add({ kind: 'set', name: 'nets4', type: 'ipv4_addr', flags: ['interval'] })
    .add({ kind: 'chain', name: 'svc-a' })
    .add({
      kind: 'map',
      name: 'services',
      type: ['ipv4_addr', 'inet_proto', 'inet_service'],
      value: 'verdict',
    })
    .add({
      kind: 'chain',
      name: 'nat-post',
      base: { type: 'nat', hook: 'postrouting', priority: 'srcnat', policy: 'accept' },
    });
}

const dnsElement = { kind: 'element', set: 'services', key: ['10.96.0.10', 'udp', '53'] } as const;

const cases: AgreementCase[] = [
  {
    name: 'declares sets, maps, chains, rules and elements of every kind Loom uses',
    change: (tx) =>
      tableWithEverything(tx)
        .add({
          kind: 'map',
          name: 'backends',
          type: ['ipv4_addr', 'inet_service', 'mark'],
          value: ['ipv4_addr', 'inet_service'],
        })
        .add({
          kind: 'set',
          name: 'affinity',
          type: ['ipv4_addr', 'ipv4_addr'],
          flags: ['dynamic', 'timeout'],
          timeoutSeconds: 10800,
        })
        .add({ kind: 'element', set: 'pods4', key: '10.244.1.5', comment: 'c1/eth0' })
        .add({ kind: 'element', set: 'pods4', key: '10.244.1.6' })
        .add({ kind: 'element', set: 'nets4', key: '10.244.1.0/24' })
        .add({ kind: 'element', set: 'nets4', key: '192.168.0.1-192.168.0.9' })
        .add({ ...dnsElement, value: 'goto svc-a', comment: 'kube-system/kube-dns:dns' })
        .add({
          kind: 'element',
          set: 'services',
          key: ['10.96.0.1', 'tcp', '443'],
          value: 'jump svc-a',
        })
        .add({
          kind: 'element',
          set: 'backends',
          key: ['10.96.0.10', '53', '0'],
          value: ['10.244.1.5', '53'],
        })
        .add({
          kind: 'rule',
          chain: 'nat-post',
          rule: 'ip saddr @pods4 ip daddr != @nets4 ip daddr != 224.0.0.0/4 masquerade',
          comment: 'pod egress',
        })
        .add({
          kind: 'rule',
          chain: 'nat-post',
          rule: 'ip daddr . meta l4proto . th dport vmap @services',
        })
        .insert({
          kind: 'rule',
          chain: 'nat-post',
          rule: 'meta mark 0x4000 masquerade',
          comment: 'first',
        })
        .add({ kind: 'rule', chain: 'svc-a', rule: 'counter', comment: 'then' }),
    outcome: 'accepted',
  },
  {
    name: 'adds what exists again as a no-op (add is idempotent)',
    setup: (tx) => tableWithEverything(tx).add({ ...dnsElement, value: 'goto svc-a' }),
    change: (tx) => tableWithEverything(tx).add({ ...dnsElement, value: 'goto svc-a' }),
    outcome: 'accepted',
  },
  {
    name: 'keeps the first comment of an element added again',
    setup: (tx) =>
      tableWithEverything(tx).add({
        kind: 'element',
        set: 'pods4',
        key: '10.0.0.1',
        comment: 'old',
      }),
    change: (tx) => tx.add({ kind: 'element', set: 'pods4', key: '10.0.0.1', comment: 'new' }),
    outcome: 'accepted',
  },
  {
    name: 'replaces a map element with delete + add in one transaction',
    setup: (tx) => tableWithEverything(tx).add({ ...dnsElement, value: 'goto svc-a' }),
    change: (tx) => tx.delete(dnsElement).add({ ...dnsElement, value: 'drop' }),
    outcome: 'accepted',
  },
  {
    name: 'flushes a chain and adds its rules again (the CNI masquerade pattern)',
    setup: (tx) =>
      tableWithEverything(tx).add({
        kind: 'rule',
        chain: 'nat-post',
        rule: 'ip saddr @pods4 masquerade',
      }),
    change: (tx) =>
      tx.flush({ kind: 'chain', name: 'nat-post' }).add({
        kind: 'rule',
        chain: 'nat-post',
        rule: 'ip saddr @pods4 masquerade',
        comment: 'again',
      }),
    outcome: 'accepted',
  },
  {
    name: 'replaces a whole table: destroy (add + delete), then declare it again',
    setup: (tx) =>
      tableWithEverything(tx).add({ kind: 'rule', chain: 'nat-post', rule: 'jump svc-a' }),
    change: (tx) =>
      tx
        .destroy({ kind: 'table' })
        .add({ kind: 'table' })
        .add({
          kind: 'chain',
          name: 'nat-post',
          base: { type: 'nat', hook: 'postrouting', priority: 100 },
        }),
    outcome: 'accepted',
  },
  {
    name: 'destroys what does not exist',
    setup: (tx) => tx.add({ kind: 'table' }),
    change: (tx) =>
      tx
        .destroy({ kind: 'chain', name: 'old' })
        .destroy({ kind: 'set', name: 'old-set', type: 'ipv4_addr' }),
    outcome: 'accepted',
  },
  {
    name: 'deletes a chain once the rule and element that jump to it are gone',
    setup: (tx) =>
      tableWithEverything(tx)
        .add({ kind: 'rule', chain: 'nat-post', rule: 'jump svc-a' })
        .add({ ...dnsElement, value: 'goto svc-a' }),
    change: (tx) =>
      tx
        .flush({ kind: 'chain', name: 'nat-post' })
        .delete(dnsElement)
        .delete({ kind: 'chain', name: 'svc-a' }),
    outcome: 'accepted',
  },
  {
    name: 'flushes a table of its rules, keeping sets and elements',
    setup: (tx) =>
      tableWithEverything(tx)
        .add({ kind: 'rule', chain: 'nat-post', rule: 'ip saddr @pods4 masquerade' })
        .add({ kind: 'element', set: 'pods4', key: '10.0.0.1' }),
    change: (tx) => tx.flush({ kind: 'table' }).delete({ kind: 'set', name: 'pods4' }),
    outcome: 'accepted',
  },
  {
    name: 'changes the policy of a base chain declared again',
    setup: tableWithEverything,
    change: (tx) =>
      tx.add({
        kind: 'chain',
        name: 'nat-post',
        base: { type: 'nat', hook: 'postrouting', priority: 100, policy: 'drop' },
      }),
    outcome: 'accepted',
  },
  {
    name: 'deletes a map by the name of a set (sets and maps share names)',
    setup: tableWithEverything,
    change: (tx) => tx.delete({ kind: 'set', name: 'services' }),
    outcome: 'accepted',
  },
  {
    name: 'deletes a rule by the handle the kernel gave it',
    setup: (tx) =>
      tx
        .add({ kind: 'table' })
        .add({ kind: 'chain', name: 'c' })
        .add({ kind: 'rule', chain: 'c', rule: 'counter', comment: 'handle 2' })
        .add({ kind: 'rule', chain: 'c', rule: 'accept', comment: 'handle 3' }),
    change: (tx) => tx.delete({ kind: 'rule', chain: 'c', handle: 2 }),
    outcome: 'accepted',
  },
  {
    name: 'refuses a chain in a missing table',
    change: (tx) => tx.add({ kind: 'chain', name: 'c' }),
    outcome: 'not-found',
  },
  {
    name: 'refuses a rule in a missing chain',
    setup: tableWithEverything,
    change: (tx) => tx.add({ kind: 'rule', chain: 'c', rule: 'accept' }),
    outcome: 'not-found',
  },
  {
    name: 'refuses a jump to a missing chain',
    setup: tableWithEverything,
    change: (tx) => tx.add({ kind: 'rule', chain: 'svc-a', rule: 'jump svc-b' }),
    outcome: 'not-found',
  },
  {
    name: 'refuses a goto to a base chain',
    setup: tableWithEverything,
    change: (tx) => tx.add({ kind: 'rule', chain: 'svc-a', rule: 'goto nat-post' }),
    outcome: 'invalid',
  },
  {
    name: 'refuses a lookup of a missing set',
    setup: tableWithEverything,
    change: (tx) => tx.add({ kind: 'rule', chain: 'svc-a', rule: 'ip saddr @pods6 accept' }),
    outcome: 'not-found',
  },
  {
    name: 'refuses a set used as a verdict map',
    setup: tableWithEverything,
    change: (tx) => tx.add({ kind: 'rule', chain: 'svc-a', rule: 'ip daddr vmap @pods4' }),
    outcome: 'unknown',
  },
  {
    name: 'refuses deleting a missing table',
    change: (tx) => tx.delete({ kind: 'table' }),
    outcome: 'not-found',
  },
  {
    name: 'refuses deleting a missing chain',
    setup: tableWithEverything,
    change: (tx) => tx.delete({ kind: 'chain', name: 'svc-b' }),
    outcome: 'not-found',
  },
  {
    name: 'refuses flushing a missing chain',
    setup: tableWithEverything,
    change: (tx) => tx.flush({ kind: 'chain', name: 'svc-b' }),
    outcome: 'not-found',
  },
  {
    name: 'refuses deleting a missing set',
    setup: tableWithEverything,
    change: (tx) => tx.delete({ kind: 'set', name: 'pods6' }),
    outcome: 'not-found',
  },
  {
    name: 'refuses deleting a missing element',
    setup: tableWithEverything,
    change: (tx) => tx.delete({ kind: 'element', set: 'pods4', key: '10.9.9.9' }),
    outcome: 'not-found',
  },
  {
    name: 'refuses deleting a chain a rule jumps to',
    setup: (tx) =>
      tableWithEverything(tx).add({ kind: 'rule', chain: 'nat-post', rule: 'jump svc-a' }),
    change: (tx) => tx.delete({ kind: 'chain', name: 'svc-a' }),
    outcome: 'busy',
  },
  {
    name: 'refuses deleting a chain a verdict map element goes to',
    setup: (tx) => tableWithEverything(tx).add({ ...dnsElement, value: 'goto svc-a' }),
    change: (tx) => tx.delete({ kind: 'chain', name: 'svc-a' }),
    outcome: 'busy',
  },
  {
    name: 'refuses deleting a set a rule uses',
    setup: (tx) =>
      tableWithEverything(tx).add({
        kind: 'rule',
        chain: 'nat-post',
        rule: 'ip saddr @pods4 masquerade',
      }),
    change: (tx) => tx.delete({ kind: 'set', name: 'pods4' }),
    outcome: 'busy',
  },
  {
    name: 'refuses deleting a map a rule uses',
    setup: (tx) =>
      tableWithEverything(tx).add({
        kind: 'rule',
        chain: 'nat-post',
        rule: 'ip daddr . meta l4proto . th dport vmap @services',
      }),
    change: (tx) => tx.delete({ kind: 'map', name: 'services' }),
    outcome: 'busy',
  },
  {
    name: 'refuses creating a table that exists',
    setup: tableWithEverything,
    change: (tx) => tx.create({ kind: 'table' }),
    outcome: 'exists',
  },
  {
    name: 'refuses creating a chain that exists',
    setup: tableWithEverything,
    change: (tx) => tx.create({ kind: 'chain', name: 'svc-a' }),
    outcome: 'exists',
  },
  {
    name: 'refuses creating a set that exists',
    setup: tableWithEverything,
    change: (tx) => tx.create({ kind: 'set', name: 'pods4', type: 'ipv4_addr' }),
    outcome: 'exists',
  },
  {
    name: 'refuses creating an element that exists',
    setup: (tx) => tableWithEverything(tx).add({ kind: 'element', set: 'pods4', key: '10.0.0.1' }),
    change: (tx) => tx.create({ kind: 'element', set: 'pods4', key: '10.0.0.1' }),
    outcome: 'exists',
  },
  {
    name: 'refuses a set declared again with other flags',
    setup: tableWithEverything,
    change: (tx) => tx.add({ kind: 'set', name: 'pods4', type: 'ipv4_addr', flags: ['interval'] }),
    outcome: 'exists',
  },
  {
    name: 'refuses a map declared with the name of a set',
    setup: tableWithEverything,
    change: (tx) => tx.add({ kind: 'map', name: 'pods4', type: 'ipv4_addr', value: 'verdict' }),
    outcome: 'exists',
  },
  {
    name: 'refuses a map element added again with another value',
    setup: (tx) => tableWithEverything(tx).add({ ...dnsElement, value: 'goto svc-a' }),
    change: (tx) => tx.add({ ...dnsElement, value: 'drop' }),
    outcome: 'exists',
  },
  {
    name: 'refuses a map element without a value',
    setup: tableWithEverything,
    change: (tx) => tx.add(dnsElement),
    outcome: 'invalid',
  },
  {
    name: 'refuses a verdict to a missing chain',
    setup: tableWithEverything,
    change: (tx) => tx.add({ ...dnsElement, value: 'jump svc-b' }),
    outcome: 'not-found',
  },
  {
    name: 'refuses a verdict to a base chain',
    setup: tableWithEverything,
    change: (tx) => tx.add({ ...dnsElement, value: 'goto nat-post' }),
    outcome: 'invalid',
  },
  {
    name: 'refuses a prefix in a set without flags interval',
    setup: tableWithEverything,
    change: (tx) => tx.add({ kind: 'element', set: 'pods4', key: '10.0.0.0/8' }),
    outcome: 'unknown',
  },
  {
    name: 'refuses an IPv6 address in an IPv4 set',
    setup: tableWithEverything,
    change: (tx) => tx.add({ kind: 'element', set: 'pods4', key: 'fd00::1' }),
    outcome: 'invalid',
  },
  {
    name: 'refuses a base chain declared again at another priority',
    setup: tableWithEverything,
    change: (tx) =>
      tx.add({
        kind: 'chain',
        name: 'nat-post',
        base: { type: 'nat', hook: 'postrouting', priority: 50 },
      }),
    outcome: 'invalid',
  },
  {
    name: 'refuses a hook for a regular chain (as a name that exists)',
    setup: tableWithEverything,
    change: (tx) =>
      tx.add({
        kind: 'chain',
        name: 'svc-a',
        base: { type: 'filter', hook: 'input', priority: 0 },
      }),
    outcome: 'exists',
  },
  {
    name: 'refuses a hook and policy for a regular chain (as unsupported)',
    setup: tableWithEverything,
    change: (tx) =>
      tx.add({
        kind: 'chain',
        name: 'svc-a',
        base: { type: 'filter', hook: 'input', priority: 0, policy: 'accept' },
      }),
    outcome: 'invalid',
  },
  {
    name: 'refuses flushing a map as a set',
    setup: tableWithEverything,
    change: (tx) => tx.flush({ kind: 'set', name: 'services' }),
    outcome: 'not-found',
  },
  {
    name: 'refuses deleting a rule by a handle that is not there',
    setup: (tx) => tx.add({ kind: 'table' }).add({ kind: 'chain', name: 'c' }),
    change: (tx) => tx.delete({ kind: 'rule', chain: 'c', handle: 99 }),
    outcome: 'not-found',
  },
];

type Outcome = 'accepted' | { reason: KernelErrorReason; line: number | undefined };

async function outcomeOf(applier: NftApplier, tx: NftTransaction): Promise<Outcome> {
  try {
    await applier.apply(tx);
    return 'accepted';
  } catch (error) {
    if (!isKernelCommandError(error)) throw error;
    return { reason: error.reason, line: nftErrorLine(error) };
  }
}

describe.skipIf(!canUseNetns())(kernelSuiteTitle('nft fake agrees with the kernel'), () => {
  let ns: TestNetns;
  let kernel: NftApplier;

  beforeAll(async () => {
    ns = await createTestNetns('loom-t-nft');
    kernel = createNftApplier(ns.runner);
  });
  afterAll(() => ns?.cleanup());

  async function kernelTable(ref: NftTableRef) {
    try {
      const entries = await nftJson<NftJsonEntry[]>(ns.runner, [
        'list',
        'table',
        ref.family,
        ref.name,
      ]);
      const [state] = parseNftTables(entries);
      return state === undefined ? undefined : comparableNftTable(state);
    } catch (error) {
      if (isKernelCommandError(error, 'not-found')) return undefined;
      throw error;
    }
  }

  function fakeTable(fake: FakeNft, ref: NftTableRef) {
    const state = fake.table(ref.family, ref.name);
    return state === undefined ? undefined : comparableNftTable(state);
  }

  it.each(cases.map((c, i) => [c.name, c, i] as const))('%s', async (_, c, index) => {
    // A table per case, so cases cannot see each other's objects.
    const ref: NftTableRef = { family: 'inet', name: `agree-${index}` };
    const fake = createFakeNft();
    if (c.setup) {
      const setup = createNftTransaction(ref);
      c.setup(setup);
      expect(await outcomeOf(kernel, setup)).toBe('accepted');
      expect(await outcomeOf(fake, setup)).toBe('accepted');
    }
    const change = createNftTransaction(ref);
    c.change(change);
    const fromKernel = await outcomeOf(kernel, change);
    const fromFake = await outcomeOf(fake, change);
    expect(fromKernel).toEqual(
      c.outcome === 'accepted' ? 'accepted' : { reason: c.outcome, line: change.size },
    );
    expect(fromFake).toEqual(fromKernel);
    expect(fakeTable(fake, ref)).toEqual(await kernelTable(ref));
  });

  it('compares something: the big case leaves a table with every kind of object', async () => {
    const state = await kernelTable({ family: 'inet', name: 'agree-0' });
    expect(state?.sets.map((s) => s.name)).toEqual([
      'affinity',
      'backends',
      'nets4',
      'pods4',
      'services',
    ]);
    expect(state?.sets.find((s) => s.name === 'services')?.elements).toEqual([
      '10.96.0.1 . tcp . 443 : jump svc-a',
      '10.96.0.10 . udp . 53 : goto svc-a # kube-system/kube-dns:dns',
    ]);
    expect(state?.chains.find((c) => c.name === 'nat-post')?.rules).toEqual([
      'first',
      'pod egress',
      null,
    ]);
  });
});

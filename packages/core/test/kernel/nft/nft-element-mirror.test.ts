import { describe, expect, it } from 'vitest';
import {
  createNftElementMirror,
  createNftTransaction,
  isKernelCommandError,
  type NftElementMirror,
  type NftMirroredElement,
  type NftTransaction,
} from '../../../src/kernel/index.ts';
import { createFakeNft, type FakeNft } from '../../../src/testing/index.ts';

const table = { family: 'inet', name: 'loom-t' } as const;
const serviceIps = { kind: 'map', name: 'service-ips' } as const;

function setup(): { nft: FakeNft; mirror: NftElementMirror } {
  const nft = createFakeNft();
  nft.applyNow(
    createNftTransaction(table)
      .add({ kind: 'table' })
      .add({ kind: 'chain', name: 'svc-a' })
      .add({ kind: 'chain', name: 'svc-b' })
      .add({ ...serviceIps, type: ['ipv4_addr', 'inet_proto', 'inet_service'], value: 'verdict' }),
  );
  return { nft, mirror: createNftElementMirror(serviceIps) };
}

const dns: NftMirroredElement = { key: ['10.96.0.10', 'udp', '53'], value: 'goto svc-a' };
const api: NftMirroredElement = { key: ['10.96.0.1', 'tcp', '443'], value: 'goto svc-b' };

/** One sync round: ensure `wanted`, sweep, apply, commit (or discard and rethrow). */
function sync(
  nft: FakeNft,
  mirror: NftElementMirror,
  wanted: readonly NftMirroredElement[],
  options: { resync?: boolean; extra?: (tx: NftTransaction) => void } = {},
): NftTransaction {
  const tx = createNftTransaction(table);
  if (options.resync) mirror.resync(tx);
  for (const element of wanted) mirror.ensure(tx, element);
  mirror.sweep(tx);
  options.extra?.(tx);
  try {
    nft.applyNow(tx);
    mirror.commit();
  } catch (error) {
    mirror.discard();
    throw error;
  }
  return tx;
}

const elements = (nft: FakeNft) =>
  nft.table('inet', 'loom-t')?.sets[0]?.elements.map((e) => `${e.key.join(' . ')} : ${e.value}`);

describe('NftElementMirror', () => {
  it('adds what is new, then nothing while nothing changes (sizes 2, 0)', () => {
    const { nft, mirror } = setup();
    expect(sync(nft, mirror, [dns, api]).size).toBe(2);
    expect(sync(nft, mirror, [dns, api]).size).toBe(0);
    expect(mirror.size).toBe(2);
    expect(elements(nft)).toEqual([
      '10.96.0.10 . udp . 53 : goto svc-a',
      '10.96.0.1 . tcp . 443 : goto svc-b',
    ]);
  });

  it('replaces an element whose value changed with delete + add (the kernel refuses add alone)', () => {
    const { nft, mirror } = setup();
    sync(nft, mirror, [dns, api]);
    const tx = sync(nft, mirror, [{ ...dns, value: 'goto svc-b' }, api]);
    expect(tx.text()).toBe(
      'delete element inet loom-t service-ips { 10.96.0.10 . udp . 53 }\n' +
        'add element inet loom-t service-ips { 10.96.0.10 . udp . 53 : goto svc-b }\n',
    );
    expect(elements(nft)).toContain('10.96.0.10 . udp . 53 : goto svc-b');
  });

  it('replaces an element whose comment changed (the kernel keeps the old comment on add)', () => {
    const { nft, mirror } = setup();
    sync(nft, mirror, [{ ...dns, comment: 'old' }]);
    expect(sync(nft, mirror, [{ ...dns, comment: 'new' }]).size).toBe(2);
    expect(nft.table('inet', 'loom-t')?.sets[0]?.elements[0]?.comment).toBe('new');
  });

  it('sweeps what was applied and not ensured since', () => {
    const { nft, mirror } = setup();
    sync(nft, mirror, [dns, api]);
    const tx = sync(nft, mirror, [api]);
    expect(tx.text()).toBe('delete element inet loom-t service-ips { 10.96.0.10 . udp . 53 }\n');
    expect(mirror.get(dns.key)).toBeUndefined();
    expect(sync(nft, mirror, [api]).size).toBe(0);
  });

  it('without a sweep, leaves elements it was not told about (a partial round)', () => {
    const { nft, mirror } = setup();
    sync(nft, mirror, [dns, api]);
    const tx = createNftTransaction(table);
    mirror.ensure(tx, { ...api, value: 'goto svc-a' });
    nft.applyNow(tx);
    mirror.commit();
    expect(mirror.size).toBe(2);
    expect(sync(nft, mirror, [dns, { ...api, value: 'goto svc-a' }]).size).toBe(0);
  });

  it('removes one element by key, only when it was applied', () => {
    const { nft, mirror } = setup();
    sync(nft, mirror, [dns]);
    const tx = createNftTransaction(table);
    mirror.remove(tx, api.key);
    mirror.remove(tx, dns.key);
    expect(tx.text()).toBe('delete element inet loom-t service-ips { 10.96.0.10 . udp . 53 }\n');
    nft.applyNow(tx);
    mirror.commit();
    expect(mirror.size).toBe(0);
    expect(elements(nft)).toEqual([]);
  });

  it('stays true to the kernel when a transaction fails: the next round sends it all again', () => {
    const { nft, mirror } = setup();
    sync(nft, mirror, [dns]);
    const failing = () =>
      sync(nft, mirror, [api], {
        extra: (tx) => tx.add({ kind: 'rule', chain: 'svc-a', rule: 'jump gone' }),
      });
    expect(failing).toThrow(/No such file or directory/);
    expect(mirror.get(api.key)).toBeUndefined();
    expect(mirror.get(dns.key)).toEqual(dns);
    // The failed round's add and sweep are sent again, since neither happened.
    const retry = sync(nft, mirror, [api]);
    expect(retry.text().split('\n').slice(0, 2)).toEqual([
      'add element inet loom-t service-ips { 10.96.0.1 . tcp . 443 : goto svc-b }',
      'delete element inet loom-t service-ips { 10.96.0.10 . udp . 53 }',
    ]);
    expect(elements(nft)).toEqual(['10.96.0.1 . tcp . 443 : goto svc-b']);
  });

  it('resyncs: flushes the map and adds every element, whatever it thought was applied', () => {
    const { nft, mirror } = setup();
    sync(nft, mirror, [dns, api]);
    // Someone deletes an element behind Loom's back; a partial sync would not notice.
    nft.applyNow(
      createNftTransaction(table).delete({ kind: 'element', set: 'service-ips', key: dns.key }),
    );
    const tx = sync(nft, mirror, [dns, api], { resync: true });
    expect(tx.text().split('\n')[0]).toBe('flush map inet loom-t service-ips');
    expect(tx.size).toBe(3);
    expect(elements(nft)).toHaveLength(2);
    expect(sync(nft, mirror, [dns, api]).size).toBe(0);
  });

  it('refuses a resync in the middle of a round, and one key ensured with two values', () => {
    const { mirror } = setup();
    const tx = createNftTransaction(table);
    mirror.ensure(tx, dns);
    expect(() => mirror.resync(tx)).toThrow(/resync must start a sync round/);
    expect(() => mirror.ensure(tx, { ...dns, value: 'drop' })).toThrow(
      'invalid nft element map service-ips { 10.96.0.10 . udp . 53 }: ensured twice in one sync with different values',
    );
    mirror.ensure(tx, dns);
    expect(tx.size).toBe(1);
  });

  it('a failed resync leaves the mirror as before; the retry resyncs again', () => {
    const { nft, mirror } = setup();
    sync(nft, mirror, [dns]);
    const error = (() => {
      try {
        sync(nft, mirror, [api], {
          resync: true,
          extra: (tx) => tx.delete({ kind: 'chain', name: 'gone' }),
        });
      } catch (e) {
        return e;
      }
    })();
    expect(isKernelCommandError(error, 'not-found')).toBe(true);
    expect(mirror.get(dns.key)).toEqual(dns);
    expect(sync(nft, mirror, [api], { resync: true }).size).toBe(2);
    expect(elements(nft)).toEqual(['10.96.0.1 . tcp . 443 : goto svc-b']);
  });
});

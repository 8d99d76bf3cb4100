import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  type NftJsonEntry,
  nftJsonValueText,
  nftSetState,
  parseNftTables,
} from '../../../src/kernel/index.ts';

// `nft -j list table inet loom-t` from nft 1.0.6 on kernel 6.18 (metainfo included, as nft
// prints it; nftJson strips it).
const listing = JSON.parse(
  readFileSync(new URL('../fixtures/nft-list-table.json', import.meta.url), 'utf8'),
) as { nftables: NftJsonEntry[] };
const entries = listing.nftables.filter((entry) => !('metainfo' in entry));

describe('parseNftTables', () => {
  const [table] = parseNftTables(entries);

  it("reads the table with its sets and maps, chains and rules, in nft's order", () => {
    expect(table?.family).toBe('inet');
    expect(table?.name).toBe('loom-t');
    expect(table?.sets.map((s) => `${s.kind} ${s.name}`)).toEqual([
      'set pods4',
      'set nets4',
      'map service-ips',
      'map backends',
      'set affinity',
    ]);
    expect(table?.chains.map((c) => c.name)).toEqual(['svc-dns', 'nat-post']);
  });

  it('reads elements as nft writes them: comments, prefixes, ranges, concatenations, verdicts', () => {
    const sets = Object.fromEntries((table?.sets ?? []).map((s) => [s.name, s]));
    expect(sets.pods4).toEqual({
      kind: 'set',
      name: 'pods4',
      type: ['ipv4_addr'],
      flags: [],
      comment: 'pods of network net1',
      elements: [{ key: ['10.244.1.5'], comment: 'c1/eth0' }, { key: ['10.244.1.6'] }],
    });
    expect(sets.nets4?.elements).toEqual([
      { key: ['10.244.1.0/24'] },
      { key: ['192.168.0.1-192.168.0.9'] },
    ]);
    expect(sets.nets4?.flags).toEqual(['interval']);
    expect(sets['service-ips']).toMatchObject({
      type: ['ipv4_addr', 'inet_proto', 'inet_service'],
      value: ['verdict'],
      elements: [
        {
          key: ['10.96.0.10', 'udp', '53'],
          value: ['goto svc-dns'],
          comment: 'kube-system/kube-dns:dns',
        },
      ],
    });
    expect(sets.backends?.value).toEqual(['ipv4_addr', 'inet_service']);
    expect(sets.backends?.elements).toEqual([
      { key: ['10.96.0.10', '53', '0'], value: ['10.244.1.5', '53'] },
    ]);
    expect(sets.affinity).toMatchObject({
      flags: ['timeout'],
      timeoutSeconds: 10800,
      elements: [{ key: ['10.244.1.7'] }],
    });
  });

  it("reads base chains with the kernel's priority number, and rules with their comments", () => {
    const post = table?.chains.find((c) => c.name === 'nat-post');
    expect(post?.base).toEqual({
      type: 'nat',
      hook: 'postrouting',
      priority: 100,
      policy: 'accept',
    });
    expect(post?.rules).toHaveLength(1);
    expect(post?.rules[0]?.comment).toBe('pod egress');
    expect(post?.rules[0]?.expr).toHaveLength(3);
    expect(table?.chains.find((c) => c.name === 'svc-dns')?.base).toBeUndefined();
  });

  it('reads nothing from an empty listing', () => {
    expect(parseNftTables([])).toEqual([]);
  });
});

describe('nftSetState and nftJsonValueText', () => {
  it('reads a set entry on its own (as `nft -j list set` answers)', () => {
    expect(
      nftSetState({
        name: 's',
        type: 'ipv4_addr',
        elem: ['10.0.0.1', { elem: { val: '10.0.0.2', comment: 'x' } }],
      }),
    ).toEqual({
      kind: 'set',
      name: 's',
      type: ['ipv4_addr'],
      flags: [],
      elements: [{ key: ['10.0.0.1'] }, { key: ['10.0.0.2'], comment: 'x' }],
    });
  });

  it.each([
    ['10.0.0.1', '10.0.0.1'],
    [443, '443'],
    [{ prefix: { addr: 'fd00::', len: 64 } }, 'fd00::/64'],
    [{ range: ['10.0.0.1', '10.0.0.9'] }, '10.0.0.1-10.0.0.9'],
    [{ jump: { target: 'svc-a' } }, 'jump svc-a'],
    [{ drop: null }, 'drop'],
    [{ unknown: 1 }, '{"unknown":1}'],
  ])('%j → %s', (value, text) => {
    expect(nftJsonValueText(value)).toBe(text);
  });
});

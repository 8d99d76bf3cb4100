import { createNftTransaction } from '@loom-net/core';
import { createFakeNft } from '@loom-net/core/testing';
import { describe, expect, it } from 'vitest';
import { renderMasqueradeRuleset } from '../src/index.ts';
import { masqueradeTransaction } from '../src/masquerade-ruleset.ts';
import { cidrs } from './fixtures/nodes.ts';

// What `nft list table inet loom-route-agent` shows once the transaction is applied (the
// table the agent wrote as one declarative block before the nft builder existed).
const LISTED_TABLE = [
  'table inet loom-route-agent {',
  '\tchain postrouting {',
  '\t\ttype nat hook postrouting priority srcnat; policy accept;',
  '\t\tip saddr 10.244.0.0/16 ip daddr != { 10.244.0.0/16, 224.0.0.0/4 } counter masquerade fully-random comment "pod egress leaving the cluster"',
  '\t}',
  '}',
  '',
].join('\n');

describe('renderMasqueradeRuleset', () => {
  it('replaces its own table in one transaction and masquerades only traffic leaving the cluster CIDR', () => {
    expect(renderMasqueradeRuleset('loom-route-agent', cidrs('10.244.0.0/16'))).toBe(
      [
        'add table inet loom-route-agent',
        'delete table inet loom-route-agent',
        'add table inet loom-route-agent',
        'add chain inet loom-route-agent postrouting { type nat hook postrouting priority srcnat; policy accept; }',
        'add rule inet loom-route-agent postrouting ip saddr 10.244.0.0/16 ip daddr != { 10.244.0.0/16, 224.0.0.0/4 } counter masquerade fully-random comment "pod egress leaving the cluster"',
        '',
      ].join('\n'),
    );
  });

  it('leaves exactly the masquerade table, whether or not one existed, and replaces an edited one', () => {
    const nft = createFakeNft();
    nft.applyNow(masqueradeTransaction('loom-route-agent', cidrs('10.244.0.0/16')));
    expect(nft.dump()).toBe(LISTED_TABLE);
    // Someone adds a rule by hand; the next apply puts the table back as it was.
    nft.applyNow(
      createNftTransaction({ family: 'inet', name: 'loom-route-agent' }).add({
        kind: 'rule',
        chain: 'postrouting',
        rule: 'accept',
      }),
    );
    nft.applyNow(masqueradeTransaction('loom-route-agent', cidrs('10.244.0.0/16')));
    expect(nft.dump()).toBe(LISTED_TABLE);
  });

  it('adds an ip6 rule for a dual-stack cluster', () => {
    const text = renderMasqueradeRuleset(
      'loom-route-agent',
      cidrs('10.244.0.0/16', 'fd00:10:244::/56'),
    );
    expect(text).toContain(
      'ip6 saddr fd00:10:244::/56 ip6 daddr != { fd00:10:244::/56, ff00::/8 } counter masquerade fully-random',
    );
  });

  it('adds nothing for a family without a cluster CIDR', () => {
    expect(masqueradeTransaction('loom-route-agent', cidrs('fd00:10:244::/56')).size).toBe(5);
    expect(masqueradeTransaction('loom-route-agent', []).size).toBe(4);
  });
});

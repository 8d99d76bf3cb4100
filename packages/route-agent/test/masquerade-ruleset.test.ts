import { describe, expect, it } from 'vitest';
import { renderMasqueradeRuleset } from '../src/index.ts';
import { cidrs } from './fixtures/nodes.ts';

describe('renderMasqueradeRuleset', () => {
  it('replaces its own table in one transaction and masquerades only traffic leaving the cluster CIDR', () => {
    expect(renderMasqueradeRuleset('loom-route-agent', cidrs('10.244.0.0/16'))).toBe(
      [
        'table inet loom-route-agent {}',
        'delete table inet loom-route-agent',
        'table inet loom-route-agent {',
        '\tchain postrouting {',
        '\t\ttype nat hook postrouting priority srcnat; policy accept;',
        '\t\tip saddr 10.244.0.0/16 ip daddr != { 10.244.0.0/16, 224.0.0.0/4 } counter masquerade fully-random comment "pod egress leaving the cluster"',
        '\t}',
        '}',
        '',
      ].join('\n'),
    );
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
});

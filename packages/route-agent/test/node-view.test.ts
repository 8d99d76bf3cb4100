import { formatCidr, formatIp } from '@loom-net/core';
import { describe, expect, it } from 'vitest';
import { nodeViewOf, routingFingerprint } from '../src/index.ts';
import { nodeObject } from './fixtures/nodes.ts';

describe('nodeViewOf', () => {
  it('reads InternalIPs (not Hostname/ExternalIP) and spec.podCIDRs', () => {
    const obj = nodeObject(
      'node2',
      ['192.168.1.12', 'fd00:1::12'],
      ['10.244.2.0/24', 'fd00:10:244:2::/64'],
    );
    obj.status?.addresses?.push({ type: 'ExternalIP', address: '203.0.113.7' });
    const view = nodeViewOf(obj);
    expect(view.internalIps.map(formatIp)).toEqual(['192.168.1.12', 'fd00:1::12']);
    expect(view.podCidrs.map(formatCidr)).toEqual(['10.244.2.0/24', 'fd00:10:244:2::/64']);
    expect(view.problems).toEqual([]);
  });

  it('falls back to the legacy spec.podCIDR and reports what it cannot parse', () => {
    const view = nodeViewOf({
      metadata: { name: 'node9' },
      spec: { podCIDR: '10.244.9.0/24' },
      status: { addresses: [{ type: 'InternalIP', address: 'not-an-ip' }] },
    });
    expect(view.podCidrs.map(formatCidr)).toEqual(['10.244.9.0/24']);
    expect(view.problems).toEqual([
      'status.addresses: InternalIP "not-an-ip" is not an IP address',
    ]);
  });

  it('keeps the routing fingerprint across heartbeat-only updates', () => {
    const before = nodeObject('node2', ['192.168.1.12'], ['10.244.2.0/24']);
    const after = {
      ...before,
      metadata: { ...before.metadata, resourceVersion: '99', labels: { a: 'b' } },
    };
    expect(routingFingerprint(nodeViewOf(after))).toBe(routingFingerprint(nodeViewOf(before)));
    const moved = nodeObject('node2', ['192.168.1.22'], ['10.244.2.0/24']);
    expect(routingFingerprint(nodeViewOf(moved))).not.toBe(routingFingerprint(nodeViewOf(before)));
  });
});

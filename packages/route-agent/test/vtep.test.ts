import { formatIp, parseCidr, parseIp } from '@loom-net/core';
import { describe, expect, it } from 'vitest';
import { vtepAddress, vtepMac } from '../src/index.ts';

describe('vtepMac', () => {
  it.each([
    { ip: '192.168.1.12', mac: '0e:4c:c0:a8:01:0c' },
    { ip: '10.0.0.1', mac: '0e:4c:0a:00:00:01' },
  ])('spells IPv4 $ip into a locally administered unicast MAC', ({ ip, mac }) => {
    expect(vtepMac(parseIp(ip))).toBe(mac);
  });

  it('derives distinct, stable, locally administered unicast MACs for IPv6 underlays', () => {
    const a = vtepMac(parseIp('fd00:1::12'));
    expect(a).toMatch(/^0e(:[0-9a-f]{2}){5}$/);
    expect(vtepMac(parseIp('fd00:1:0::12'))).toBe(a);
    expect(vtepMac(parseIp('fd00:1::13'))).not.toBe(a);
  });
});

describe('vtepAddress', () => {
  it('is the pod CIDR’s network address, as flannel', () => {
    expect(formatIp(vtepAddress(parseCidr('10.244.3.0/24')))).toBe('10.244.3.0');
    expect(formatIp(vtepAddress(parseCidr('fd00:10:244:3::/64')))).toBe('fd00:10:244:3::');
  });
});

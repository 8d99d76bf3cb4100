import { describe, expect, it } from 'vitest';
import { CNI_ERROR, type CniError } from '../../src/types/cni-error.ts';
import { type CniResult, formatResult, parseResult } from '../../src/types/cni-result.ts';
import { SUPPORTED_CNI_VERSIONS } from '../../src/version/cni-version.ts';

const result: CniResult = {
  interfaces: [
    { name: 'loom0', mac: '02:00:00:00:00:01' },
    { name: 'veth0123456789a', mac: '02:00:00:00:00:02', mtu: 1400 },
    {
      name: 'eth0',
      mac: '02:00:00:00:00:03',
      mtu: 1400,
      sandbox: '/var/run/netns/pod',
      socketPath: '/run/x.sock',
    },
  ],
  ips: [
    { address: '10.244.1.5/24', gateway: '10.244.1.1', interface: 2 },
    { address: 'fd00:10:244:1::5/64', gateway: 'fd00:10:244:1::1', interface: 2 },
  ],
  routes: [
    { dst: '0.0.0.0/0', gw: '10.244.1.1', mtu: 1400, priority: 10, table: 100 },
    { dst: '::/0', gw: 'fd00:10:244:1::1' },
  ],
  dns: { nameservers: ['10.96.0.10'], search: ['default.svc.cluster.local'] },
};

// What each spec version's result looks like for the same attachment.
const expected: Record<string, Record<string, unknown>> = {
  '0.3.0': legacy('0.3.0'),
  '0.3.1': legacy('0.3.1'),
  '0.4.0': legacy('0.4.0'),
  '1.0.0': {
    cniVersion: '1.0.0',
    interfaces: [
      { name: 'loom0', mac: '02:00:00:00:00:01' },
      { name: 'veth0123456789a', mac: '02:00:00:00:00:02' },
      { name: 'eth0', mac: '02:00:00:00:00:03', sandbox: '/var/run/netns/pod' },
    ],
    ips: result.ips,
    routes: [
      { dst: '0.0.0.0/0', gw: '10.244.1.1' },
      { dst: '::/0', gw: 'fd00:10:244:1::1' },
    ],
    dns: result.dns,
  },
  '1.1.0': { cniVersion: '1.1.0', ...result },
};

function legacy(version: string): Record<string, unknown> {
  return {
    ...expected100(),
    cniVersion: version,
    ips: [
      { version: '4', address: '10.244.1.5/24', gateway: '10.244.1.1', interface: 2 },
      { version: '6', address: 'fd00:10:244:1::5/64', gateway: 'fd00:10:244:1::1', interface: 2 },
    ],
  };
}

function expected100(): Record<string, unknown> {
  return {
    interfaces: [
      { name: 'loom0', mac: '02:00:00:00:00:01' },
      { name: 'veth0123456789a', mac: '02:00:00:00:00:02' },
      { name: 'eth0', mac: '02:00:00:00:00:03', sandbox: '/var/run/netns/pod' },
    ],
    routes: [
      { dst: '0.0.0.0/0', gw: '10.244.1.1' },
      { dst: '::/0', gw: 'fd00:10:244:1::1' },
    ],
    dns: result.dns,
  };
}

describe('formatResult', () => {
  it.each(SUPPORTED_CNI_VERSIONS)('prints the result as spec %s spells it', (version) => {
    expect(formatResult(result, version)).toEqual(expected[version]);
  });

  it.each(SUPPORTED_CNI_VERSIONS)('reads back what it printed in %s', (version) => {
    const printed = formatResult(result, version);
    expect(formatResult(parseResult(printed, 'prevResult'), version)).toEqual(printed);
  });

  it('leaves out empty sections (an IPAM result has no interfaces)', () => {
    expect(formatResult({ ips: [{ address: '10.0.0.2/24' }], dns: {} }, '1.0.0')).toEqual({
      cniVersion: '1.0.0',
      ips: [{ address: '10.0.0.2/24' }],
    });
  });
});

describe('parseResult', () => {
  it('reads a 0.4.0 IPAM result from host-local', () => {
    const parsed = parseResult(
      {
        cniVersion: '0.4.0',
        ips: [{ version: '4', address: '10.1.0.5/16', gateway: '10.1.0.1' }],
        routes: [{ dst: '0.0.0.0/0' }],
        dns: {},
      },
      'IPAM result',
    );
    expect(parsed).toEqual({
      ips: [{ address: '10.1.0.5/16', gateway: '10.1.0.1' }],
      routes: [{ dst: '0.0.0.0/0' }],
    });
  });

  it.each([
    { name: 'not an object', value: [], says: 'prevResult: expected an object' },
    {
      name: 'address without prefix',
      value: { ips: [{ address: '10.0.0.1' }] },
      says: 'prevResult.ips[0].address',
    },
    {
      name: 'bad gateway',
      value: { ips: [{ address: '10.0.0.1/24', gateway: 'ten' }] },
      says: 'prevResult.ips[0].gateway',
    },
    {
      name: 'bad route',
      value: { routes: [{ dst: 'default' }] },
      says: 'prevResult.routes[0].dst',
    },
    {
      name: 'negative interface',
      value: { ips: [{ address: '10.0.0.1/24', interface: -1 }] },
      says: 'non-negative integer',
    },
    {
      name: 'interfaces not a list',
      value: { interfaces: {} },
      says: 'prevResult.interfaces: expected a list',
    },
  ])('refuses $name with code 6', ({ value, says }) => {
    try {
      parseResult(value, 'prevResult');
      expect.unreachable();
    } catch (error) {
      expect((error as CniError).code).toBe(CNI_ERROR.decodingFailure);
      expect((error as Error).message).toContain(says);
    }
  });
});

import { CNI_ERROR, type CniError } from '@loom-net/cni-spec';
import { formatAllocationRange, formatCidr, formatIp } from '@loom-net/core/net';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DATA_DIR, parseIpamConfig } from '../src/ipam-config.ts';

function parse(
  ipam: unknown,
  extra: Record<string, unknown> = {},
  args = new Map<string, string>(),
) {
  return parseIpamConfig({
    config: { cniVersion: '1.1.0', name: 'net1', ipam, ...extra },
    network: 'net1',
    args,
  });
}

function summary(ipam: unknown, extra: Record<string, unknown> = {}) {
  return parse(ipam, extra).rangeSets.map((set) =>
    set.map(
      (r) =>
        `${formatCidr(r.cidr)} ${formatAllocationRange(r)} gw ${r.gateway ? formatIp(r.gateway) : '-'}`,
    ),
  );
}

describe('parseIpamConfig', () => {
  it('applies host-local defaults: gateway .1, range from .1 to broadcast-1 (the gateway reserved)', () => {
    const config = parse({ type: 'loom-ipam', ranges: [[{ subnet: '10.244.1.0/24' }]] });
    expect(summary({ ranges: [[{ subnet: '10.244.1.0/24' }]] })).toEqual([
      ['10.244.1.0/24 10.244.1.1-10.244.1.254 gw 10.244.1.1'],
    ]);
    expect(config.dataDir).toBe(DEFAULT_DATA_DIR);
    expect(config.routes).toEqual([]);
    expect(config.rangeSets[0]![0]!.reserved.map(formatIp)).toEqual(['10.244.1.1']);
  });

  it('reads dual-stack range sets, explicit bounds, routes, dataDir and resolvConf', () => {
    const config = parse({
      ranges: [
        [
          {
            subnet: '10.244.1.0/24',
            rangeStart: '10.244.1.10',
            rangeEnd: '10.244.1.20',
            gateway: '10.244.1.254',
          },
        ],
        [{ subnet: 'fd00:10:244:1::/64' }],
      ],
      routes: [{ dst: '0.0.0.0/0' }, { dst: '192.168.0.0/16', gw: '10.244.1.254' }],
      dataDir: '/run/loom/ipam',
      resolvConf: '/etc/resolv.conf',
    });
    expect(config.rangeSets.map((s) => s.map(formatAllocationRange))).toEqual([
      ['10.244.1.10-10.244.1.20'],
      ['fd00:10:244:1::1-fd00:10:244:1::1:0'],
    ]);
    expect(config.routes).toEqual([
      { dst: '0.0.0.0/0' },
      { dst: '192.168.0.0/16', gw: '10.244.1.254' },
    ]);
    expect(config).toMatchObject({ dataDir: '/run/loom/ipam', resolvConf: '/etc/resolv.conf' });
  });

  it('accepts the old single-range spelling (ipam.subnet) and puts it first', () => {
    expect(
      summary({
        subnet: '10.1.0.0/16',
        gateway: '10.1.0.1',
        ranges: [[{ subnet: '10.2.0.0/24' }]],
      }),
    ).toEqual([
      ['10.1.0.0/16 10.1.0.1-10.1.255.254 gw 10.1.0.1'],
      ['10.2.0.0/24 10.2.0.1-10.2.0.254 gw 10.2.0.1'],
    ]);
  });

  it('lets the ipRanges capability replace the configured ranges', () => {
    const runtimeConfig = { ipRanges: [[{ subnet: '10.9.0.0/24' }]] };
    expect(summary({ ranges: [[{ subnet: '10.2.0.0/24' }]] }, { runtimeConfig })).toEqual([
      ['10.9.0.0/24 10.9.0.1-10.9.0.254 gw 10.9.0.1'],
    ]);
  });

  it('collects requested addresses from the ips capability, args.cni.ips and CNI_ARGS IP', () => {
    const config = parseIpamConfig({
      config: {
        name: 'n',
        ipam: { ranges: [[{ subnet: '10.0.0.0/24' }]] },
        runtimeConfig: { ips: ['10.0.0.7/24'] },
        args: { cni: { ips: ['10.0.0.8'] } },
      },
      network: 'n',
      args: new Map([['IP', '10.0.0.9,fd00::9']]),
    });
    expect(config.requestedIps.map(formatIp)).toEqual([
      '10.0.0.7',
      '10.0.0.8',
      '10.0.0.9',
      'fd00::9',
    ]);
  });

  it.each([
    { name: 'no ipam', ipam: undefined, says: 'ipam must be an object' },
    { name: 'no range', ipam: { type: 'loom-ipam' }, says: 'no address range' },
    { name: 'ranges not a list', ipam: { ranges: {} }, says: 'ipam.ranges must be a list' },
    {
      name: 'empty range set',
      ipam: { ranges: [[]] },
      says: 'ipam.ranges[0] must be a non-empty list',
    },
    {
      name: 'no subnet',
      ipam: { ranges: [[{ gateway: '10.0.0.1' }]] },
      says: 'ipam.ranges[0][0].subnet is missing',
    },
    {
      name: 'bad subnet',
      ipam: { ranges: [[{ subnet: '10.0.0.0/33' }]] },
      says: 'ipam.ranges[0][0]',
    },
    {
      name: 'too small a subnet',
      ipam: { ranges: [[{ subnet: '10.0.0.0/31' }]] },
      says: 'too small',
    },
    {
      name: 'rangeStart outside',
      ipam: { ranges: [[{ subnet: '10.0.0.0/24', rangeStart: '10.0.1.5' }]] },
      says: 'rangeStart 10.0.1.5 is not inside 10.0.0.0/24',
    },
    {
      name: 'rangeEnd before rangeStart',
      ipam: { ranges: [[{ subnet: '10.0.0.0/24', rangeStart: '10.0.0.9', rangeEnd: '10.0.0.5' }]] },
      says: 'is before rangeStart',
    },
    {
      name: 'gateway not an IP',
      ipam: { ranges: [[{ subnet: '10.0.0.0/24', gateway: 'gw' }]] },
      says: 'ipam.ranges[0][0].gateway',
    },
    {
      name: 'mixed families',
      ipam: { ranges: [[{ subnet: '10.0.0.0/24' }, { subnet: 'fd00::/64' }]] },
      says: 'mixes IPv4 and IPv6',
    },
    {
      name: 'overlapping sets',
      ipam: { ranges: [[{ subnet: '10.0.0.0/24' }], [{ subnet: '10.0.0.0/16' }]] },
      says: 'overlaps',
    },
    {
      name: 'bad route',
      ipam: { ranges: [[{ subnet: '10.0.0.0/24' }]], routes: [{ dst: 'x' }] },
      says: 'ipam.routes[0].dst',
    },
    {
      name: 'route without dst',
      ipam: { ranges: [[{ subnet: '10.0.0.0/24' }]], routes: [{ gw: '10.0.0.1' }] },
      says: 'ipam.routes[0].dst is missing',
    },
    {
      name: 'dataDir not a string',
      ipam: { ranges: [[{ subnet: '10.0.0.0/24' }]], dataDir: 5 },
      says: 'ipam.dataDir must be a string',
    },
  ])('refuses $name with code 7', ({ ipam, says }) => {
    try {
      parse(ipam);
      expect.unreachable();
    } catch (error) {
      expect((error as CniError).code).toBe(CNI_ERROR.invalidConfig);
      expect((error as Error).message).toContain(says);
    }
  });
});

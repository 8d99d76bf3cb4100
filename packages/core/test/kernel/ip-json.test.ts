import { describe, expect, it } from 'vitest';
import {
  bridgeFdb,
  createRecordingRunner,
  IpJsonShapeError,
  ipLinks,
  ipNeighbours,
  ipRoutes,
  isKernelCommandError,
  isLinkUp,
  parseBridgeFdb,
  parseIpLinks,
  parseIpNeighbours,
  parseIpRoutes,
} from '../../src/kernel/index.ts';

// Entries as iproute2 6.1 printed them in a throwaway namespace (veth d0, a VXLAN device),
// trimmed of fields Loom does not read; the parsers must drop those fields too.
const VXLAN_LINK = {
  ifindex: 3,
  ifname: 'loom.vxlan',
  flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'],
  mtu: 1450,
  qdisc: 'noqueue',
  operstate: 'UNKNOWN',
  address: '0e:4c:c0:a8:01:0b',
  linkinfo: {
    info_kind: 'vxlan',
    info_data: { id: 1, local: '192.0.2.1', port: 8472, learning: false },
  },
  addr_info: [
    { family: 'inet', local: '10.244.1.0', prefixlen: 32, scope: 'global', label: 'loom.vxlan' },
    { family: 'inet6', local: 'fe80::c4c:c0ff:fea8:10b', prefixlen: 64, scope: 'link' },
  ],
};

describe('parseIpLinks', () => {
  it.each([
    {
      name: 'a VXLAN device from `-details address show`',
      entry: VXLAN_LINK,
      link: {
        ifindex: 3,
        ifname: 'loom.vxlan',
        flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'],
        mtu: 1450,
        operstate: 'UNKNOWN',
        address: '0e:4c:c0:a8:01:0b',
        linkinfo: VXLAN_LINK.linkinfo,
        addr_info: [
          { family: 'inet', local: '10.244.1.0', prefixlen: 32, scope: 'global' },
          { family: 'inet6', local: 'fe80::c4c:c0ff:fea8:10b', prefixlen: 64, scope: 'link' },
        ],
      },
    },
    {
      name: 'a bridge port from `-details link show`: master and hairpin, no addresses',
      entry: {
        ifname: 'veth1',
        flags: ['UP'],
        master: 'loom0',
        linkinfo: {
          info_kind: 'veth',
          info_slave_kind: 'bridge',
          info_slave_data: { hairpin: true },
        },
      },
      link: {
        ifname: 'veth1',
        flags: ['UP'],
        master: 'loom0',
        linkinfo: { info_kind: 'veth', info_slave_data: { hairpin: true } },
        addr_info: [],
      },
    },
    {
      name: 'counters from `-statistics link show`',
      entry: {
        ifname: 'eth0',
        flags: [],
        stats64: {
          rx: { bytes: 90, packets: 1, errors: 0, dropped: 0, multicast: 0 },
          tx: { bytes: 110, packets: 1, errors: 0, dropped: 0, collisions: 0 },
        },
      },
      link: {
        ifname: 'eth0',
        flags: [],
        addr_info: [],
        stats64: {
          rx: { bytes: 90, packets: 1, errors: 0, dropped: 0 },
          tx: { bytes: 110, packets: 1, errors: 0, dropped: 0 },
        },
      },
    },
    {
      name: 'fields of the wrong type read as absent; an address without its prefix is dropped',
      entry: { ifname: 'x', flags: 'UP', mtu: '1500', addr_info: [{ local: '192.0.2.1' }, 7] },
      link: { ifname: 'x', flags: [], addr_info: [] },
    },
  ])('$name', ({ entry, link }) => {
    expect(parseIpLinks([entry])).toEqual([link]);
  });

  it('skips entries without an ifname', () => {
    expect(parseIpLinks([{ mtu: 1500 }, null, 'lo', { ifname: 'lo' }])).toEqual([
      { ifname: 'lo', flags: [], addr_info: [] },
    ]);
  });
});

describe('parseIpRoutes', () => {
  it.each([
    {
      name: 'a connected route, -Numeric: protocol and scope as numbers in text',
      entry: {
        dst: '192.0.2.0/24',
        dev: 'd0',
        protocol: '2',
        scope: '253',
        prefsrc: '192.0.2.1',
        flags: [],
      },
      route: {
        dst: '192.0.2.0/24',
        dev: 'd0',
        protocol: '2',
        scope: '253',
        prefsrc: '192.0.2.1',
        flags: [],
      },
    },
    {
      name: "one of the agent's routes",
      entry: { dst: '10.244.2.0/24', gateway: '192.0.2.12', dev: 'd0', protocol: '76', flags: [] },
      route: { dst: '10.244.2.0/24', gateway: '192.0.2.12', dev: 'd0', protocol: '76', flags: [] },
    },
    {
      name: 'an onlink host route, printed without its prefix and, as boot, without a protocol',
      entry: { dst: '203.0.113.5', gateway: '192.0.2.3', dev: 'd0', flags: ['onlink'] },
      route: { dst: '203.0.113.5', gateway: '192.0.2.3', dev: 'd0', flags: ['onlink'] },
    },
    {
      name: 'an IPv6 route with a metric and pref',
      entry: {
        dst: 'fe80::/64',
        dev: 'd0',
        protocol: 'kernel',
        metric: 256,
        flags: [],
        pref: 'medium',
      },
      route: { dst: 'fe80::/64', dev: 'd0', protocol: 'kernel', metric: 256, flags: [] },
    },
    {
      name: 'a local route of `table all`',
      entry: {
        type: 'local',
        dst: '127.0.0.1',
        dev: 'lo',
        table: 'local',
        protocol: 'kernel',
        scope: 'host',
        flags: [],
      },
      route: {
        type: 'local',
        dst: '127.0.0.1',
        dev: 'lo',
        table: 'local',
        protocol: 'kernel',
        scope: 'host',
        flags: [],
      },
    },
    {
      name: 'the default route, without flags',
      entry: { dst: 'default', gateway: '192.0.2.254', dev: 'd0' },
      route: { dst: 'default', gateway: '192.0.2.254', dev: 'd0', flags: [] },
    },
  ])('$name', ({ entry, route }) => {
    expect(parseIpRoutes([entry])).toEqual([route]);
  });
});

describe('parseIpNeighbours', () => {
  it.each([
    {
      name: 'a permanent entry of one device',
      entry: { dst: '10.244.3.0', lladdr: '0e:4c:c0:a8:01:0d', state: ['PERMANENT'] },
      neighbour: { dst: '10.244.3.0', lladdr: '0e:4c:c0:a8:01:0d', state: ['PERMANENT'] },
    },
    {
      name: 'an unresolved entry of a full listing: no lladdr',
      entry: { dst: '192.0.2.10', dev: 'd0', state: ['FAILED'] },
      neighbour: { dst: '192.0.2.10', dev: 'd0', state: ['FAILED'] },
    },
  ])('$name', ({ entry, neighbour }) => {
    expect(parseIpNeighbours([entry])).toEqual([neighbour]);
  });
});

describe('parseBridgeFdb', () => {
  it.each([
    {
      name: "a VXLAN entry: the peer's VTEP",
      entry: { mac: '0e:4c:c0:a8:01:0c', dst: '192.0.2.7', flags: ['self'], state: 'permanent' },
      fdb: { mac: '0e:4c:c0:a8:01:0c', dst: '192.0.2.7', flags: ['self'], state: 'permanent' },
    },
    {
      name: 'a learned entry of a bridge port',
      entry: { mac: '33:33:00:00:00:01', dev: 'veth1', master: 'loom0', flags: [] },
      fdb: { mac: '33:33:00:00:00:01', dev: 'veth1', flags: [] },
    },
  ])('$name', ({ entry, fdb }) => {
    expect(parseBridgeFdb([entry])).toEqual([fdb]);
  });
});

describe.each([
  { name: 'parseIpLinks', parse: parseIpLinks },
  { name: 'parseIpRoutes', parse: parseIpRoutes },
  { name: 'parseIpNeighbours', parse: parseIpNeighbours },
  { name: 'parseBridgeFdb', parse: parseBridgeFdb },
])('$name', ({ parse }) => {
  it.each([{ output: {} }, { output: 'x' }, { output: null }])(
    'refuses $output, which is no listing',
    ({ output }) => {
      expect(() => parse(output)).toThrow(IpJsonShapeError);
    },
  );
});

describe('typed readers', () => {
  it.each([
    {
      read: ipLinks,
      args: ['-details', 'address', 'show', 'dev', 'loom.vxlan'],
      line: 'ip -json -details address show dev loom.vxlan',
      stdout: JSON.stringify([VXLAN_LINK]),
      first: { ifname: 'loom.vxlan', mtu: 1450 },
    },
    {
      read: ipRoutes,
      args: ['-Numeric', '-4', 'route', 'show', 'table', 'main'],
      line: 'ip -json -Numeric -4 route show table main',
      stdout: '[{"dst":"10.244.2.0/24","gateway":"192.0.2.12","protocol":"76","flags":[]}]',
      first: { dst: '10.244.2.0/24', protocol: '76' },
    },
    {
      read: ipNeighbours,
      args: ['neigh', 'show', 'dev', 'loom.vxlan'],
      line: 'ip -json neigh show dev loom.vxlan',
      stdout: '[{"dst":"10.244.3.0","lladdr":"0e:4c:c0:a8:01:0d","state":["PERMANENT"]}]',
      first: { dst: '10.244.3.0', state: ['PERMANENT'] },
    },
    {
      read: bridgeFdb,
      args: ['fdb', 'show', 'dev', 'loom.vxlan'],
      line: 'bridge -json fdb show dev loom.vxlan',
      stdout: '[{"mac":"0e:4c:c0:a8:01:0c","dst":"192.0.2.7","flags":["self"]}]',
      first: { mac: '0e:4c:c0:a8:01:0c', dst: '192.0.2.7' },
    },
  ])('$line runs in the netns and is parsed', async ({ read, args, line, stdout, first }) => {
    const runner = createRecordingRunner([{ match: line, stdout }]);
    const entries = await read(runner, args, 'loom-t-a');
    expect(entries[0]).toMatchObject(first);
    expect(runner.lines()).toEqual([line]);
    expect(runner.commands[0]?.netns).toBe('loom-t-a');
  });

  it('reads empty output as no entries', async () => {
    const runner = createRecordingRunner([{ match: 'ip -json', stdout: '' }]);
    expect(await ipNeighbours(runner, ['neigh', 'show', 'dev', 'x'])).toEqual([]);
  });

  it('reports output that is no listing as an invalid result of the command', async () => {
    const runner = createRecordingRunner([{ match: 'ip -json', stdout: '{"dst":"x"}' }]);
    const error = await ipRoutes(runner, ['route', 'show']).catch((e: unknown) => e);
    expect(isKernelCommandError(error, 'invalid')).toBe(true);
    expect((error as Error).message).toBe(
      'ip -json route show failed: its JSON output is not what was asked for: expected a list of routes',
    );
  });
});

describe('isLinkUp', () => {
  const [up, down] = parseIpLinks([
    { ifindex: 1, ifname: 'eth0', flags: ['BROADCAST', 'UP', 'LOWER_UP'] },
    { ifindex: 2, ifname: 'eth1', flags: ['BROADCAST'] },
  ]);
  it.each([
    ['a link with UP', up, true],
    ['a link without it', down, false],
    ['no link', undefined, false],
  ])('%s: %s', (_what, link, expected) => {
    expect(isLinkUp(link)).toBe(expected);
  });
});

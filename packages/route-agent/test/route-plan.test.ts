import {
  type IpLinkJson,
  type IpRouteJson,
  parseBridgeFdb,
  parseIpNeighbours,
} from '@loom-net/core';
import { describe, expect, it } from 'vitest';
import {
  desiredRouting,
  type KernelState,
  type NodeView,
  parseFdb,
  parseKernelRoutes,
  parseNeighbours,
  planRouteChanges,
  type RoutingMode,
  readHostInterfaces,
  vxlanLinkOf,
} from '../src/index.ts';
import { cidrs, node } from './fixtures/nodes.ts';

const vxlan = { device: 'loom.vxlan', vni: 1, port: 8472 };
const options = { protocol: 76, vxlanDevice: 'loom.vxlan' };
const node1 = node('node1', ['192.168.1.11'], ['10.244.1.0/24']);
const node2 = node('node2', ['192.168.1.12'], ['10.244.2.0/24']);
const node3 = node('node3', ['192.168.1.13'], ['10.244.3.0/24']);
const far3 = node('node3', ['192.168.2.13'], ['10.244.3.0/24']);

const eth0: IpLinkJson = {
  ifname: 'eth0',
  mtu: 1500,
  flags: ['UP'],
  addr_info: [{ family: 'inet', local: '192.168.1.11', prefixlen: 24, scope: 'global' }],
};
const device: IpLinkJson = {
  ifname: 'loom.vxlan',
  mtu: 1450,
  flags: ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'],
  address: '0e:4c:c0:a8:01:0b',
  linkinfo: {
    info_kind: 'vxlan',
    info_data: { id: 1, local: '192.168.1.11', port: 8472, learning: false },
  },
  addr_info: [{ family: 'inet', local: '10.244.1.0', prefixlen: 32, scope: 'global' }],
};
const route = (
  dst: string,
  gateway: string,
  protocol: string,
  dev = 'eth0',
  flags: string[] = [],
) => ({ dst, gateway, dev, protocol, flags }) satisfies IpRouteJson;
const connected: IpRouteJson = { dst: '192.168.1.0/24', dev: 'eth0', protocol: '2', flags: [] };

function kernel(
  routes: IpRouteJson[],
  links: IpLinkJson[] = [eth0],
  vxlanState: { neigh?: object[]; fdb?: object[] } = {},
): KernelState {
  const host = readHostInterfaces(links);
  return {
    routes: parseKernelRoutes([connected, ...routes], 4),
    vxlan: vxlanLinkOf(host, 'loom.vxlan'),
    // As ip and bridge print them, read by core's parsers as the applier does.
    neighbours: parseNeighbours(parseIpNeighbours(vxlanState.neigh ?? [])),
    fdb: parseFdb(parseBridgeFdb(vxlanState.fdb ?? [])),
  };
}

function changes(nodes: NodeView[], actual: KernelState, mode: RoutingMode = 'auto') {
  const desired = desiredRouting({
    nodeName: 'node1',
    nodes,
    mode,
    connected: cidrs('192.168.1.0/24'),
    vxlan,
    underlayMtu: 1500,
  });
  return planRouteChanges(desired, actual, options);
}

describe('planRouteChanges: direct routes', () => {
  it('adds a route per other node, marked with the protocol', () => {
    const plan = changes([node1, node2, node3], kernel([]));
    expect(plan.ipLines).toEqual([
      'route replace 10.244.2.0/24 via 192.168.1.12 proto 76',
      'route replace 10.244.3.0/24 via 192.168.1.13 proto 76',
    ]);
    expect(plan.routeChanges).toEqual({ add: 2, replace: 0, delete: 0 });
    expect(plan.fdbLines).toEqual([]);
  });

  it('changes nothing when the kernel already matches', () => {
    const actual = kernel([
      route('10.244.2.0/24', '192.168.1.12', '76'),
      route('10.244.3.0/24', '192.168.1.13', '76'),
    ]);
    expect(changes([node1, node2, node3], actual).ipLines).toEqual([]);
  });

  it('deletes the route of a deleted node and replaces one whose gateway moved', () => {
    const actual = kernel([
      route('10.244.2.0/24', '192.168.1.99', '76'),
      route('10.244.3.0/24', '192.168.1.13', '76'),
    ]);
    const plan = changes([node1, node2], actual);
    expect(plan.ipLines).toEqual([
      'route del 10.244.3.0/24 via 192.168.1.13 proto 76',
      'route replace 10.244.2.0/24 via 192.168.1.12 proto 76',
    ]);
    expect(plan.routeChanges).toEqual({ add: 0, replace: 1, delete: 1 });
  });

  it('never touches routes of another protocol, and reports one that holds a wanted destination', () => {
    const actual = kernel([
      route('10.99.0.0/16', '192.168.1.1', '4'),
      route('10.244.3.0/24', '192.168.1.50', '3'),
    ]);
    const plan = changes([node1, node2, node3], actual);
    expect(plan.ipLines).toEqual(['route replace 10.244.2.0/24 via 192.168.1.12 proto 76']);
    expect(plan.conflicts.map(({ route, foreign }) => [route.node, foreign.protocol])).toEqual([
      ['node3', '3'],
    ]);
  });
});

describe('planRouteChanges: VXLAN', () => {
  it('creates the device, its address, the peer neighbour, the onlink route and the FDB entry', () => {
    const plan = changes([node1, node2, far3], kernel([]));
    expect(plan.ipLines).toEqual([
      'link add loom.vxlan address 0e:4c:c0:a8:01:0b mtu 1450 type vxlan id 1 local 192.168.1.11 dstport 8472 nolearning',
      'link set dev loom.vxlan up',
      'addr replace 10.244.1.0/32 dev loom.vxlan',
      'neigh replace 10.244.3.0 lladdr 0e:4c:c0:a8:02:0d dev loom.vxlan nud permanent',
      'route replace 10.244.2.0/24 via 192.168.1.12 proto 76',
      'route replace 10.244.3.0/24 via 10.244.3.0 dev loom.vxlan onlink proto 76',
    ]);
    expect(plan.fdbLines).toEqual([
      'fdb replace 0e:4c:c0:a8:02:0d dev loom.vxlan dst 192.168.2.13 self permanent',
    ]);
  });

  const programmed = (): KernelState =>
    kernel(
      [
        route('10.244.2.0/24', '192.168.1.12', '76'),
        route('10.244.3.0/24', '10.244.3.0', '76', 'loom.vxlan', ['onlink']),
      ],
      [eth0, device],
      {
        neigh: [{ dst: '10.244.3.0', lladdr: '0e:4c:c0:a8:02:0d', state: ['PERMANENT'] }],
        fdb: [
          { mac: '0e:4c:c0:a8:02:0d', dst: '192.168.2.13', flags: ['self'], state: 'permanent' },
        ],
      },
    );

  it('changes nothing when the device, neighbour, FDB and routes match', () => {
    const plan = changes([node1, node2, far3], programmed());
    expect([...plan.ipLines, ...plan.fdbLines]).toEqual([]);
  });

  it('recreates a device whose VNI is wrong and reprograms everything that hung off it', () => {
    const actual = programmed();
    const wrong = { ...actual, vxlan: actual.vxlan && { ...actual.vxlan, vni: 7 } };
    const plan = changes([node1, node2, far3], wrong);
    expect(plan.ipLines[0]).toBe('link del dev loom.vxlan');
    expect(plan.ipLines).toContain(
      'neigh replace 10.244.3.0 lladdr 0e:4c:c0:a8:02:0d dev loom.vxlan nud permanent',
    );
    expect(plan.ipLines).toContain(
      'route replace 10.244.3.0/24 via 10.244.3.0 dev loom.vxlan onlink proto 76',
    );
    expect(plan.fdbLines).toEqual([
      'fdb replace 0e:4c:c0:a8:02:0d dev loom.vxlan dst 192.168.2.13 self permanent',
    ]);
  });

  it('removes the device (and with it its routes) once no peer needs it', () => {
    const plan = changes([node1, node2], programmed());
    expect(plan.ipLines).toEqual(['link del dev loom.vxlan']);
    expect(plan.routeChanges.delete).toBe(0);
  });

  it('moves a peer to a direct route when it joins a connected subnet', () => {
    const plan = changes([node1, node2, node3], programmed());
    expect(plan.ipLines).toEqual([
      'route replace 10.244.3.0/24 via 192.168.1.13 proto 76',
      'link del dev loom.vxlan',
    ]);
  });

  it('drops a stale FDB entry before adding the moved VTEP', () => {
    const moved = node('node3', ['192.168.2.23'], ['10.244.3.0/24']);
    const plan = changes([node1, node2, moved], programmed());
    expect(plan.fdbLines).toEqual([
      'fdb del 0e:4c:c0:a8:02:0d dev loom.vxlan dst 192.168.2.13 self',
      'fdb replace 0e:4c:c0:a8:02:17 dev loom.vxlan dst 192.168.2.23 self permanent',
    ]);
    expect(plan.ipLines).toEqual([
      'neigh replace 10.244.3.0 lladdr 0e:4c:c0:a8:02:17 dev loom.vxlan nud permanent',
    ]);
  });
});

describe('parseKernelRoutes', () => {
  it('reads default and host routes, gateways, onlink and the numeric protocol', () => {
    const routes = parseKernelRoutes(
      [
        { dst: 'default', gateway: '192.168.1.1', dev: 'eth0', flags: [] },
        { dst: '10.0.0.7', dev: 'eth0', protocol: '4', flags: [] },
        {
          dst: '10.244.3.0/24',
          gateway: '10.244.3.0',
          dev: 'loom.vxlan',
          protocol: '76',
          flags: ['onlink'],
        },
      ],
      4,
    );
    expect(
      routes.map((r) => [r.dst.prefix, r.gateway !== undefined, r.onlink, r.protocol]),
    ).toEqual([
      [0, true, false, ''],
      [32, false, false, '4'],
      [24, true, true, '76'],
    ]);
  });
});

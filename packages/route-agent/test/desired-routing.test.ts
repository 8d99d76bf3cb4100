import { formatCidr, formatIp } from '@loom-net/core';
import { describe, expect, it } from 'vitest';
import {
  type DesiredRouting,
  desiredRouting,
  type NodeView,
  type RoutingMode,
} from '../src/index.ts';
import { cidrs, node } from './fixtures/nodes.ts';

const vxlan = { device: 'loom.vxlan', vni: 1, port: 8472 };
const node1 = node('node1', ['192.168.1.11'], ['10.244.1.0/24']);
const node2 = node('node2', ['192.168.1.12'], ['10.244.2.0/24']);
const node3 = node('node3', ['192.168.1.13'], ['10.244.3.0/24']);
const far3 = node('node3', ['192.168.2.13'], ['10.244.3.0/24']);
const lan = cidrs('192.168.1.0/24');

function plan(nodes: NodeView[], mode: RoutingMode = 'auto', connected = lan, underlayMtu = 1500) {
  return desiredRouting({ nodeName: 'node1', nodes, mode, connected, vxlan, underlayMtu });
}

/** Routes as `ip route` would print them. */
function lines(desired: DesiredRouting): string[] {
  return desired.routes.map(
    (r) =>
      `${formatCidr(r.dst)} via ${formatIp(r.gateway)}${r.device ? ` dev ${r.device} onlink` : ''}`,
  );
}

describe('desiredRouting', () => {
  it.each([
    {
      name: 'same subnet: one direct route per other node, own node excluded',
      nodes: [node1, node2, node3],
      mode: 'auto' as const,
      routes: ['10.244.2.0/24 via 192.168.1.12', '10.244.3.0/24 via 192.168.1.13'],
    },
    {
      name: 'a node on another subnet is tunnelled in auto mode',
      nodes: [node1, node2, far3],
      mode: 'auto' as const,
      routes: [
        '10.244.2.0/24 via 192.168.1.12',
        '10.244.3.0/24 via 10.244.3.0 dev loom.vxlan onlink',
      ],
    },
    {
      name: 'vxlan mode tunnels even directly connected nodes',
      nodes: [node1, node2, node3],
      mode: 'vxlan' as const,
      routes: [
        '10.244.2.0/24 via 10.244.2.0 dev loom.vxlan onlink',
        '10.244.3.0/24 via 10.244.3.0 dev loom.vxlan onlink',
      ],
    },
    {
      name: 'direct mode leaves an unreachable node unrouted',
      nodes: [node1, node2, far3],
      mode: 'direct' as const,
      routes: ['10.244.2.0/24 via 192.168.1.12'],
    },
    {
      name: 'a node without a pod CIDR is ignored',
      nodes: [node1, node2, node('node4', ['192.168.1.14'], [])],
      mode: 'auto' as const,
      routes: ['10.244.2.0/24 via 192.168.1.12'],
    },
    {
      name: 'a deleted node (gone from the list) has no route',
      nodes: [node1, node3],
      mode: 'auto' as const,
      routes: ['10.244.3.0/24 via 192.168.1.13'],
    },
  ])('$name', ({ nodes, mode, routes }) => {
    expect(lines(plan(nodes, mode))).toEqual(routes);
  });

  it('says why a node is unrouted in direct mode', () => {
    const desired = plan([node1, far3], 'direct');
    expect(desired.nodes).toEqual([
      {
        node: 'node3',
        paths: [],
        unrouted: ['InternalIP 192.168.2.13 is not on a directly connected subnet (mode direct)'],
      },
    ]);
    expect(desired.vxlan).toBeUndefined();
  });

  it('routes dual-stack pod CIDRs via the InternalIP of their own family', () => {
    const nodes = [
      node('node1', ['192.168.1.11', 'fd00:1::11'], ['10.244.1.0/24', 'fd00:10:244:1::/64']),
      node('node2', ['192.168.1.12', 'fd00:1::12'], ['10.244.2.0/24', 'fd00:10:244:2::/64']),
    ];
    const desired = plan(nodes, 'auto', cidrs('192.168.1.0/24', 'fd00:1::/64'));
    expect(lines(desired)).toEqual([
      '10.244.2.0/24 via 192.168.1.12',
      'fd00:10:244:2::/64 via fd00:1::12',
    ]);
    expect(desired.nodes).toEqual([{ node: 'node2', paths: ['direct'], unrouted: [] }]);
  });

  it('tunnels an IPv6 pod CIDR over the IPv4 underlay when the peer has no connected IPv6 address', () => {
    const nodes = [
      node('node1', ['192.168.1.11'], ['10.244.1.0/24', 'fd00:10:244:1::/64']),
      node('node2', ['192.168.1.12'], ['10.244.2.0/24', 'fd00:10:244:2::/64']),
    ];
    const desired = plan(nodes);
    expect(lines(desired)).toEqual([
      '10.244.2.0/24 via 192.168.1.12',
      'fd00:10:244:2::/64 via fd00:10:244:2:: dev loom.vxlan onlink',
    ]);
    expect(desired.vxlan?.peers).toEqual([
      expect.objectContaining({ node: 'node2', mac: '0e:4c:c0:a8:01:0c' }),
    ]);
    expect(desired.vxlan?.addresses.map(formatCidr)).toEqual([
      '10.244.1.0/32',
      'fd00:10:244:1::/128',
    ]);
  });

  it('describes the VXLAN device: local InternalIP, derived MAC, MTU less 50, one peer per tunnelled node', () => {
    const desired = plan([node1, node2, far3], 'auto', lan, 9000);
    const device = desired.vxlan;
    expect(device && { ...device, localIp: formatIp(device.localIp) }).toMatchObject({
      device: 'loom.vxlan',
      vni: 1,
      port: 8472,
      localIp: '192.168.1.11',
      mac: '0e:4c:c0:a8:01:0b',
      mtu: 8950,
    });
    expect(
      device?.peers.map((p) => [p.node, p.mac, formatIp(p.underlayIp), p.gateways.map(formatIp)]),
    ).toEqual([['node3', '0e:4c:c0:a8:02:0d', '192.168.2.13', ['10.244.3.0']]]);
  });

  it('never routes a pod CIDR that overlaps this node’s or an earlier node’s', () => {
    const nodes = [
      node1,
      node('node2', ['192.168.1.12'], ['10.244.1.0/24']),
      node('node3', ['192.168.1.13'], ['10.244.3.0/24']),
      node('node4', ['192.168.1.14'], ['10.244.3.128/25']),
    ];
    const desired = plan(nodes);
    expect(lines(desired)).toEqual(['10.244.3.0/24 via 192.168.1.13']);
    expect(desired.issues).toEqual([
      'node node2: pod CIDR 10.244.1.0/24 overlaps 10.244.1.0/24 of node node1',
      'node node4: pod CIDR 10.244.3.128/25 overlaps 10.244.3.0/24 of node node3',
    ]);
  });

  it('reports a node missing from the list and a malformed pod CIDR', () => {
    const broken = node('node2', ['192.168.1.12'], ['10.244.2.1/24']);
    const desired = plan([broken]);
    expect(desired.routes).toEqual([]);
    expect(desired.issues).toEqual([
      'node node1 is not in the Node list',
      'node node2: spec.podCIDRs[0]: "10.244.2.1/24" is not a valid CIDR: host bits are set (did you mean 10.244.2.0/24?)',
    ]);
  });

  it('computes 1,000 nodes quickly', () => {
    const many = Array.from({ length: 1000 }, (_, i) =>
      node(`n${i}`, [`10.10.${i >> 8}.${i & 255}`], [`10.${128 + (i >> 8)}.${i & 255}.0/24`]),
    );
    const started = performance.now();
    const desired = desiredRouting({
      nodeName: 'n0',
      nodes: many,
      mode: 'auto',
      connected: cidrs('10.10.0.0/16'),
      vxlan,
      underlayMtu: 1500,
    });
    expect(desired.routes).toHaveLength(999);
    expect(performance.now() - started).toBeLessThan(500);
  });
});

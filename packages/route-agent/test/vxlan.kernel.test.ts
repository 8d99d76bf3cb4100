import {
  bridgeFdb,
  ipBatch,
  ipLinks,
  ipNeighbours,
  ipRoutes,
  type NftJsonEntry,
  nftJson,
} from '@loom-net/core';
import {
  canUseNetns,
  createFakeApiServer,
  type FakeApiServer,
  kernelSuiteTitle,
  type TestNetns,
} from '@loom-net/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startTestAgent, type TestAgent } from './fixtures/agents.ts';
import { nodeObject } from './fixtures/nodes.ts';
import {
  addNode,
  addPod,
  addRoutedNode,
  addRouter,
  createTopology,
  type Topology,
} from './fixtures/topology.ts';

/**
 * node1 and node2 share 192.168.1.0/24; node3 sits alone on 192.168.2.0/24 behind a router
 * that knows nothing about pod CIDRs. Each node has a pod (10.244.N.2) behind its loom0.
 */
describe.skipIf(!canUseNetns())(
  kernelSuiteTitle('VXLAN to a node behind a router, and masquerade'),
  () => {
    let topology: Topology;
    let api: FakeApiServer;
    const agents: TestAgent[] = [];
    const ns = (name: string) => topology.nodes[name] as TestNetns;
    const pod = (name: string) => topology.pods[name] as TestNetns;

    beforeAll(async () => {
      topology = await createTopology();
      api = await createFakeApiServer();
      const router = await addRouter(topology);
      for (const n of [1, 2]) {
        await addNode(topology, `node${n}`, [`192.168.1.1${n}/24`]);
        await ipBatch(ns(`node${n}`).runner, ['route add default via 192.168.1.1']);
      }
      await addRoutedNode(topology, router, 'node3', '192.168.2.13/24');
      const ips = { node1: '192.168.1.11', node2: '192.168.1.12', node3: '192.168.2.13' };
      for (const [name, ip] of Object.entries(ips)) {
        const n = name.slice(-1);
        await addPod(topology, name, `10.244.${n}.0/24`);
        api.create('/api/v1/nodes', nodeObject(name, [ip], [`10.244.${n}.0/24`]));
      }
      for (const name of Object.keys(ips)) agents.push(await startTestAgent(api, ns(name), name));
    });
    afterAll(async () => {
      await Promise.allSettled(agents.map((a) => a.stop()));
      await api?.close();
      await topology?.cleanup();
    });

    const routesOf = async (name: string) =>
      (await ipRoutes(ns(name).runner, ['-4', 'route', 'show', 'proto', '76'])).map(
        (r) =>
          `${r.dst} via ${r.gateway}${r.flags.includes('onlink') ? ` dev ${r.dev} onlink` : ''}`,
      );

    it('routes the same-subnet peer directly and tunnels the routed one', async () => {
      await eventually(async () => {
        expect(await routesOf('node1')).toEqual([
          '10.244.2.0/24 via 192.168.1.12',
          '10.244.3.0/24 via 10.244.3.0 dev loom.vxlan onlink',
        ]);
        expect(await routesOf('node3')).toEqual([
          '10.244.1.0/24 via 10.244.1.0 dev loom.vxlan onlink',
          '10.244.2.0/24 via 10.244.2.0 dev loom.vxlan onlink',
        ]);
      });
    });

    it('builds the VXLAN device like flannel: VNI 1, port 8472, no learning, MTU 1450, one FDB and neighbour entry per peer', async () => {
      const [link] = await ipLinks(ns('node1').runner, [
        '-details',
        'link',
        'show',
        'dev',
        'loom.vxlan',
      ]);
      expect(link?.mtu).toBe(1450);
      expect(link?.address).toBe('0e:4c:c0:a8:01:0b');
      expect(link?.linkinfo?.info_data).toMatchObject({
        id: 1,
        local: '192.168.1.11',
        port: 8472,
        learning: false,
      });
      const fdb = await bridgeFdb(ns('node1').runner, ['fdb', 'show', 'dev', 'loom.vxlan']);
      expect(fdb.map((e) => `${e.mac} ${e.dst}`)).toEqual(['0e:4c:c0:a8:02:0d 192.168.2.13']);
      const neigh = await ipNeighbours(ns('node1').runner, ['neigh', 'show', 'dev', 'loom.vxlan']);
      expect(neigh.map((e) => `${e.dst} ${e.lladdr}`)).toEqual(['10.244.3.0 0e:4c:c0:a8:02:0d']);
    });

    it('carries pod-to-pod traffic through the tunnel, unmasqueraded', async () => {
      const txBefore = await vxlanTxPackets(ns('node1'));
      await eventually(() =>
        pod('node1')
          .exec('busybox', ['ping', '-c', '1', '-W', '1', '10.244.3.2'])
          .then(() => {}),
      );
      await pod('node3').exec('busybox', ['ping', '-c', '1', '-W', '1', '10.244.2.2']);
      await pod('node1').exec('busybox', ['ping', '-c', '1', '-W', '1', '10.244.2.2']);
      expect(await vxlanTxPackets(ns('node1'))).toBeGreaterThan(txBefore);
      expect(await masqueradedPackets(ns('node1'))).toBe(0);
      expect(await masqueradedPackets(ns('node3'))).toBe(0);
    });

    it('masquerades pod traffic leaving the cluster CIDR (the router has no route back to pods)', async () => {
      await pod('node1').exec('busybox', ['ping', '-c', '1', '-W', '1', '192.168.2.1']);
      expect(await masqueradedPackets(ns('node1'))).toBeGreaterThan(0);
    });

    it('keeps the masquerade in its own table, as one rule', async () => {
      const { stdout } = await ns('node2').runner.run({
        tool: 'nft',
        args: ['list', 'table', 'inet', 'loom-route-agent'],
      });
      expect(stdout.replace(/counter packets \d+ bytes \d+/, 'counter')).toBe(
        [
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

    it('restores a masquerade table deleted by hand on the next resync', async () => {
      await ns('node2').runner.run({
        tool: 'nft',
        args: ['delete', 'table', 'inet', 'loom-route-agent'],
      });
      await eventually(async () => expect(await masqueradedPackets(ns('node2'))).toBe(0));
    });
  },
);

async function vxlanTxPackets(node: TestNetns): Promise<number> {
  const [link] = await ipLinks(node.runner, ['-statistics', 'link', 'show', 'dev', 'loom.vxlan']);
  return link?.stats64?.tx.packets ?? 0;
}

/** The masquerade rule's packet counter (throws while the table is missing). */
async function masqueradedPackets(node: TestNetns): Promise<number> {
  const entries = await nftJson<NftJsonEntry[]>(node.runner, [
    'list',
    'table',
    'inet',
    'loom-route-agent',
  ]);
  const rule = entries.find((e) => 'rule' in e)?.rule as {
    expr: Array<Record<string, { packets?: number }>>;
  };
  return rule.expr.find((e) => 'counter' in e)?.counter?.packets ?? -1;
}

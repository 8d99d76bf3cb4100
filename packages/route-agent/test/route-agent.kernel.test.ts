import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type HealthServer, ipBatch, ipRoutes, startHealthServer } from '@loom-net/core';
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
import { addNode, createTopology, type Topology } from './fixtures/topology.ts';

const NODES = '/api/v1/nodes';

describe.skipIf(!canUseNetns())(
  kernelSuiteTitle('route agents on a 3-node switch, fed by an API server'),
  () => {
    let topology: Topology;
    let api: FakeApiServer;
    const agents: TestAgent[] = [];
    let health: HealthServer;
    let node1: TestNetns;

    beforeAll(async () => {
      topology = await createTopology();
      api = await createFakeApiServer();
      for (const n of [1, 2, 3]) {
        await addNode(topology, `node${n}`, [`192.168.1.1${n}/24`]);
        api.create(NODES, nodeObject(`node${n}`, [`192.168.1.1${n}`], [`10.244.${n}.0/24`]));
      }
      node1 = topology.nodes.node1 as TestNetns;
      for (const n of [1, 2, 3]) {
        agents.push(await startTestAgent(api, topology.nodes[`node${n}`] as TestNetns, `node${n}`));
      }
      const first = agents[0] as TestAgent;
      health = await startHealthServer({
        port: 0,
        host: '127.0.0.1',
        registry: first.metrics,
        checks: first.agent.checks,
      });
    });
    afterAll(async () => {
      await health?.close();
      await Promise.allSettled(agents.map((a) => a.stop()));
      await api?.close();
      await topology?.cleanup();
    });

    const routesOf = async (ns: TestNetns) =>
      (await ipRoutes(ns.runner, ['-4', 'route', 'show', 'proto', '76'])).map(
        (r) => `${r.dst} via ${r.gateway}`,
      );

    it('gives every node exactly one route per other node, via its InternalIP, with protocol 76', async () => {
      await eventually(async () => {
        expect(await routesOf(node1)).toEqual([
          '10.244.2.0/24 via 192.168.1.12',
          '10.244.3.0/24 via 192.168.1.13',
        ]);
        expect(await routesOf(topology.nodes.node2 as TestNetns)).toEqual([
          '10.244.1.0/24 via 192.168.1.11',
          '10.244.3.0/24 via 192.168.1.13',
        ]);
        expect(await routesOf(topology.nodes.node3 as TestNetns)).toEqual([
          '10.244.1.0/24 via 192.168.1.11',
          '10.244.2.0/24 via 192.168.1.12',
        ]);
      });
    });

    it('is ready once every known node is programmed, and says so on /readyz and /metrics', async () => {
      await eventually(async () => {
        const res = await fetch(`${health.url}/readyz?verbose`);
        expect(await res.text()).toContain('[+]routes-programmed ok');
        expect(res.status).toBe(200);
      });
      const metrics = await (await fetch(`${health.url}/metrics`)).text();
      expect(metrics).toContain('loom_route_agent_routes{path="direct",family="4"} 2');
      expect(metrics).toContain('loom_route_agent_nodes{state="programmed"} 2');
      expect(metrics).toMatch(
        /loom_route_agent_reconcile_duration_seconds_count\{key="routes"\} [1-9]/,
      );
    });

    it("writes its node's CNI conflist and enables forwarding", async () => {
      const first = agents[0] as TestAgent;
      const conflist = JSON.parse(await readFile(join(first.confDir, '10-loom.conflist'), 'utf8'));
      expect(conflist.plugins[0]).toMatchObject({
        type: 'loom-cni',
        mtu: 1450,
        ipam: { type: 'loom-ipam', ranges: [[{ subnet: '10.244.1.0/24' }]] },
      });
      const forwarding = await node1.exec('cat', ['/proc/sys/net/ipv4/ip_forward']);
      expect(forwarding.stdout.trim()).toBe('1');
    });

    it('puts a hand-deleted route back within the resync period', async () => {
      await ipBatch(node1.runner, ['route del 10.244.2.0/24']);
      const took = await eventually(async () => {
        expect(await routesOf(node1)).toContain('10.244.2.0/24 via 192.168.1.12');
      });
      expect(took).toBeLessThan(300 + 1000);
    });

    it("routes a node added later and removes a deleted node's route", async () => {
      await addNode(topology, 'node4', ['192.168.1.14/24']);
      api.create(NODES, nodeObject('node4', ['192.168.1.14'], ['10.244.4.0/24']));
      await eventually(async () =>
        expect(await routesOf(node1)).toContain('10.244.4.0/24 via 192.168.1.14'),
      );
      api.remove(NODES, 'node4');
      await eventually(async () =>
        expect(await routesOf(node1)).not.toContain('10.244.4.0/24 via 192.168.1.14'),
      );
      expect(await routesOf(node1)).toEqual([
        '10.244.2.0/24 via 192.168.1.12',
        '10.244.3.0/24 via 192.168.1.13',
      ]);
    });

    it('keeps every route through an API server outage, repairs drift meanwhile, and catches up after', async () => {
      const first = agents[0] as TestAgent;
      await api.stop();
      await eventually(async () => {
        expect(await first.metrics.metrics()).toMatch(
          /loom_route_agent_informer_errors_total [1-9]/,
        );
      });
      api.create(NODES, nodeObject('node5', ['192.168.1.15'], ['10.244.5.0/24']));
      await ipBatch(node1.runner, ['route del 10.244.3.0/24']);
      await eventually(async () =>
        expect(await routesOf(node1)).toContain('10.244.3.0/24 via 192.168.1.13'),
      );
      await new Promise((resolve) => setTimeout(resolve, 700)); // two more resyncs while down
      expect(await routesOf(node1)).toEqual([
        '10.244.2.0/24 via 192.168.1.12',
        '10.244.3.0/24 via 192.168.1.13',
      ]);
      await api.start();
      await eventually(async () =>
        expect(await routesOf(node1)).toContain('10.244.5.0/24 via 192.168.1.15'),
      );
    });
  },
);

import { ipBatch, ipRoutes } from '@loom-net/core';
import { canUseNetns, kernelSuiteTitle, type TestNetns } from '@loom-net/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRouteApplier, createRouteReconciler, type NodeView } from '../src/index.ts';
import { node } from './fixtures/nodes.ts';
import { addNode, createTopology, type Topology } from './fixtures/topology.ts';

const dual = (n: number) =>
  node(
    `node${n}`,
    [`192.168.1.1${n}`, `fd00:1::1${n}`],
    [`10.244.${n}.0/24`, `fd00:10:244:${n}::/64`],
  );

describe.skipIf(!canUseNetns())(kernelSuiteTitle('route reconciler on a 3-node switch'), () => {
  let topology: Topology;
  let node1: TestNetns;

  beforeAll(async () => {
    topology = await createTopology();
    for (const n of [1, 2, 3])
      await addNode(topology, `node${n}`, [`192.168.1.1${n}/24`, `fd00:1::1${n}/64`]);
    node1 = topology.nodes.node1 as TestNetns;
  });
  afterAll(() => topology?.cleanup());

  const reconciler = () =>
    createRouteReconciler({
      nodeName: 'node1',
      mode: 'auto',
      vxlan: { device: 'loom.vxlan', vni: 1, port: 8472 },
      protocol: 76,
      bridge: 'loom0',
      applier: createRouteApplier({ runner: node1.runner, vxlanDevice: 'loom.vxlan' }),
    });
  const owned = async (family: '-4' | '-6') =>
    (await ipRoutes(node1.runner, [family, 'route', 'show', 'proto', '76'])).map(
      (r) => `${r.dst} via ${r.gateway}`,
    );
  const reconcile = (nodes: NodeView[]) => reconciler().reconcile(nodes);

  it('programs exactly one route per other node and family, via its InternalIP, with protocol 76', async () => {
    const outcome = await reconcile([dual(1), dual(2), dual(3)]);
    expect(await owned('-4')).toEqual([
      '10.244.2.0/24 via 192.168.1.12',
      '10.244.3.0/24 via 192.168.1.13',
    ]);
    expect(await owned('-6')).toEqual([
      'fd00:10:244:2::/64 via fd00:1::12',
      'fd00:10:244:3::/64 via fd00:1::13',
    ]);
    expect([...outcome.programmed].sort()).toEqual(['node2', 'node3']);
  });

  it('applies nothing when the kernel already matches', async () => {
    const outcome = await reconcile([dual(1), dual(2), dual(3)]);
    expect(outcome.plan.ipLines).toEqual([]);
  });

  it('puts back a route deleted by hand and removes the route of a deleted node', async () => {
    await ipBatch(node1.runner, ['route del 10.244.2.0/24']);
    const outcome = await reconcile([dual(1), dual(2)]);
    expect(outcome.plan.routeChanges).toEqual({ add: 1, replace: 0, delete: 2 });
    expect(await owned('-4')).toEqual(['10.244.2.0/24 via 192.168.1.12']);
    expect(await owned('-6')).toEqual(['fd00:10:244:2::/64 via fd00:1::12']);
  });

  it('leaves routes without its protocol alone, even one holding a wanted destination', async () => {
    await ipBatch(node1.runner, [
      'route add 10.99.0.0/16 via 192.168.1.1',
      'route add 10.244.3.0/24 via 192.168.1.50 proto static',
    ]);
    const outcome = await reconcile([dual(1), dual(2), dual(3)]);
    expect(outcome.plan.conflicts.map(({ route }) => route.node)).toEqual(['node3']);
    expect(outcome.programmed.has('node3')).toBe(false);
    const all = await ipRoutes(node1.runner, ['-4', 'route', 'show', 'table', 'main']);
    expect(
      all
        .filter((r) => r.dst.startsWith('10.'))
        .map((r) => `${r.dst} via ${r.gateway} ${r.protocol ?? 'boot'}`),
    ).toEqual([
      '10.99.0.0/16 via 192.168.1.1 boot',
      '10.244.2.0/24 via 192.168.1.12 76',
      '10.244.3.0/24 via 192.168.1.50 static',
    ]);
    // Once the foreign route is gone, the agent's takes its place.
    await ipBatch(node1.runner, ['route del 10.244.3.0/24 proto static']);
    await reconcile([dual(1), dual(2), dual(3)]);
    expect(await owned('-4')).toEqual([
      '10.244.2.0/24 via 192.168.1.12',
      '10.244.3.0/24 via 192.168.1.13',
    ]);
    const kept = await ipRoutes(node1.runner, ['-4', 'route', 'show', '10.99.0.0/16']);
    expect(kept).toHaveLength(1);
  });

  it('removes every route it owns once no other node is left', async () => {
    await reconcile([dual(1)]);
    expect(await owned('-4')).toEqual([]);
    expect(await owned('-6')).toEqual([]);
  });
});

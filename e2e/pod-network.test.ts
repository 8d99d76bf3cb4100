import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useCluster } from './cluster.ts';
import type { ClusterDriver } from './drivers/cluster-driver.ts';
import { createNamespace, deleteNamespace, getJson, inCidr, type Node, type Pod } from './kube.ts';
import {
  AGENT_PROTOCOL,
  agentRoutesOn,
  clientIpSeenBy,
  directRoutesFor,
  netexecPods,
  routesOn,
} from './network.ts';

// Issue 6: every pod reaches every pod on every node, without NAT, over one route per node.
describe('pod network across nodes', () => {
  let driver: ClusterDriver;
  let pods: Map<string, Pod>;
  const ns = `e2e-podnet-${randomBytes(3).toString('hex')}`;

  beforeAll(async () => {
    driver = await useCluster();
    await createNamespace(driver, ns);
    pods = await netexecPods(driver, ns, 'web', driver.nodes);
  });

  afterAll(async () => {
    if (!driver) return;
    await deleteNamespace(driver, ns);
    await driver.release();
  });

  it('gives each pod an IP from its node podCIDR', async () => {
    for (const [node, item] of pods) {
      const object = await getJson<Node>(driver, ['node', node]);
      expect(inCidr(item.status.podIP!, object.spec.podCIDR!), node).toBe(true);
    }
  });

  it('carries traffic between pods on every pair of nodes, keeping the source pod IP', async () => {
    const seen: string[] = [];
    const expected: string[] = [];
    for (const [from, client] of pods) {
      for (const [to, server] of pods) {
        if (from === to) continue;
        const source = await clientIpSeenBy(
          driver,
          `${ns}/${client.metadata.name}`,
          server.status.podIP!,
        );
        seen.push(`${from} → ${to}: ${source}`);
        expected.push(`${from} → ${to}: ${client.status.podIP}`);
      }
    }
    expect(seen).toEqual(expected);
  });

  it('holds exactly one <podCIDR> via <InternalIP> route per other node, owned by the agent', async () => {
    const first = driver.nodes[0]!;
    expect(await agentRoutesOn(driver, first)).toEqual(await directRoutesFor(driver, first));
    if (driver.name === 'lab') {
      expect(await agentRoutesOn(driver, 'node1')).toEqual([
        '10.244.2.0/24 via 192.168.1.12 dev eth0',
        '10.244.3.0/24 via 192.168.1.13 dev eth0',
      ]);
    }
    // One route per destination: nothing else (another protocol) claims a peer's pod CIDR.
    const peers = (await directRoutesFor(driver, first)).map((route) => route.split(' ')[0]);
    for (const dst of peers) {
      const held = (await routesOn(driver, first)).filter((route) => route.dst === dst);
      expect(
        held.map((route) => route.protocol),
        dst,
      ).toEqual([AGENT_PROTOCOL]);
    }
  });

  it('gives every node the routes to all the others', async () => {
    for (const node of driver.nodes) {
      expect(await agentRoutesOn(driver, node), node).toEqual(await directRoutesFor(driver, node));
    }
  });
});

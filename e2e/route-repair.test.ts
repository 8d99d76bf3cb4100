import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useCluster } from './cluster.ts';
import type { ClusterDriver } from './drivers/cluster-driver.ts';
import { createNamespace, deleteNamespace, getJson, type Node, type Pod } from './kube.ts';
import { agentRoutesOn, clientIpSeenBy, directRoutesFor, netexecPods } from './network.ts';

/** The route agent's default resync period: drift is repaired at the latest this long after. */
const RESYNC_MS = 30_000;

/** A Node with no kubelet behind it: a podCIDR and an InternalIP are all routing reads. */
function ghostNode(name: string, podCidr: string, ip: string): object {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'loom.dev/e2e': 'ghost' } },
    spec: {
      podCIDR: podCidr,
      podCIDRs: [podCidr],
      unschedulable: true,
      taints: [{ key: 'loom.dev/e2e-ghost', effect: 'NoSchedule' }],
    },
    status: { addresses: [{ type: 'InternalIP', address: ip }] },
  };
}

// Issue 6: routes are repaired when someone deletes one, and survive an API server outage.
describe('route repair and API server outages', () => {
  let driver: ClusterDriver;
  let pods: Map<string, Pod>;
  const ns = `e2e-repair-${randomBytes(3).toString('hex')}`;
  const ghost = `e2e-ghost-${randomBytes(3).toString('hex')}`;

  beforeAll(async () => {
    driver = await useCluster();
    await createNamespace(driver, ns);
    pods = await netexecPods(driver, ns, 'web', driver.nodes.slice(0, 2));
  });

  afterAll(async () => {
    if (!driver) return;
    await driver.repair();
    await driver.kubectl(['delete', 'node', ghost, '--ignore-not-found']);
    await deleteNamespace(driver, ns);
    await driver.release();
  });

  it('puts back a route deleted by hand within the resync period', async () => {
    const [first, last] = [driver.nodes[0]!, driver.nodes.at(-1)!];
    const wanted = await directRoutesFor(driver, first);
    const podCidr = (await getJson<Node>(driver, ['node', last])).spec.podCIDR!;
    const deleted = await driver.exec(first, ['ip', 'route', 'del', podCidr]);
    expect(deleted.exitCode, deleted.stderr).toBe(0);
    const started = Date.now();
    expect(await agentRoutesOn(driver, first)).not.toEqual(wanted);
    await expect
      .poll(() => agentRoutesOn(driver, first), { timeout: RESYNC_MS + 10_000, interval: 200 })
      .toEqual(wanted);
    const tookMs = Date.now() - started;
    console.log(`route ${podCidr} on ${first} came back ${tookMs} ms after it was deleted`);
    expect(tookMs).toBeLessThan(RESYNC_MS + 5_000);
  });

  it('keeps routes and pod traffic through an API server outage, and catches up after it', async () => {
    const [first, second] = driver.nodes;
    const client = pods.get(first!)!;
    const server = pods.get(second!)!;
    // Found while the API server answers: during the outage only the nodes do.
    const netns = await driver.podNetns(ns, client.metadata.name);
    const before = await agentRoutesOn(driver, first!);

    await driver.stopApiServer();
    expect((await driver.kubectl(['get', 'nodes'])).exitCode).not.toBe(0);
    // Longer than the agent's watch takes to notice and start retrying.
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    expect(await agentRoutesOn(driver, first!)).toEqual(before);
    expect(await clientIpSeenBy(driver, { node: first!, netns }, server.status.podIP!)).toBe(
      client.status.podIP,
    );

    await driver.repair();
    // A change made after the outage reaches the data plane: a new Node is routed, then unrouted.
    await driver.apply([ghostNode(ghost, '10.244.250.0/24', '192.168.1.250')]);
    const withGhost = [...before, '10.244.250.0/24 via 192.168.1.250 dev eth0'].sort();
    await expect
      .poll(() => agentRoutesOn(driver, first!), { timeout: 60_000, interval: 250 })
      .toEqual(withGhost);
    await driver.kubectl(['delete', 'node', ghost]);
    await expect
      .poll(() => agentRoutesOn(driver, first!), { timeout: 30_000, interval: 250 })
      .toEqual(before);
  });
});

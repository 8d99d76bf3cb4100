import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useCluster } from './cluster.ts';
import type { ClusterDriver } from './drivers/cluster-driver.ts';
import { createNamespace, deleteNamespace, getJson, isReady, type Node, type Pod } from './kube.ts';
import { agentRoutesOn, clientIpSeenBy, internalIp, netexecPods, routesOn } from './network.ts';

// Issue 6: a node that joins later is routed to (directly, or over VXLAN when it sits behind
// a router), and a deleted Node's routes go.
describe('nodes added and removed', () => {
  let driver: ClusterDriver;
  let anchor: Pod;
  const ns = `e2e-added-${randomBytes(3).toString('hex')}`;
  let added: string | undefined;

  const nodeObject = (name: string) => getJson<Node>(driver, ['node', name]);
  const nodeGone = async (name: string) =>
    (await driver.kubectl(['get', 'node', name])).stderr.includes('NotFound');

  beforeAll(async () => {
    driver = await useCluster();
    await createNamespace(driver, ns);
    anchor = (await netexecPods(driver, ns, 'anchor', [driver.nodes[0]!])).get(driver.nodes[0]!)!;
  });

  afterAll(async () => {
    if (!driver) return;
    if (added) await driver.removeNode(added);
    await deleteNamespace(driver, ns);
    await driver.release();
  });

  /** Adds a node, checks node1 routes to it as `route`, and that pods talk both ways unNATed. */
  async function joinAndTalk(remote: boolean, route: (node: Node) => string): Promise<Node> {
    const first = driver.nodes[0]!;
    added = await driver.addNode({ remote });
    const node = await nodeObject(added);
    expect(isReady(node)).toBe(true);
    await expect
      .poll(
        async () =>
          (await agentRoutesOn(driver, first)).filter((r) => r.startsWith(node.spec.podCIDR!)),
        {
          timeout: 30_000,
          interval: 250,
        },
      )
      .toEqual([route(node)]);
    const web = (await netexecPods(driver, ns, `web-${remote ? 'far' : 'near'}`, [added])).get(
      added,
    )!;
    expect(await clientIpSeenBy(driver, `${ns}/${anchor.metadata.name}`, web.status.podIP!)).toBe(
      anchor.status.podIP,
    );
    expect(await clientIpSeenBy(driver, `${ns}/${web.metadata.name}`, anchor.status.podIP!)).toBe(
      web.status.podIP,
    );
    return node;
  }

  async function leave(node: Node): Promise<void> {
    const name = node.metadata.name;
    // Its pods first, while its kubelet runs: a node of the same name added next must not
    // inherit them before the pod garbage collector would have removed them.
    const selector = `spec.nodeName=${name}`;
    await driver.kubectl(['delete', 'pods', '-n', ns, '--field-selector', selector, '--wait=true']);
    await driver.removeNode(name);
    added = undefined;
    expect(await nodeGone(name)).toBe(true);
    await expect
      .poll(
        async () =>
          (await routesOn(driver, driver.nodes[0]!)).filter((r) => r.dst === node.spec.podCIDR),
        { timeout: 30_000, interval: 250 },
      )
      .toEqual([]);
  }

  it('routes to a node added on the same subnet directly, and drops the route once it is deleted', async () => {
    const node = await joinAndTalk(false, (n) => `${n.spec.podCIDR} via ${internalIp(n)} dev eth0`);
    if (driver.name === 'lab') expect(internalIp(node)).toBe('192.168.1.14');
    await leave(node);
  });

  it('reaches a node on another subnet, behind a router, over VXLAN', async () => {
    const node = await joinAndTalk(true, (n) => {
      const vtep = n.spec.podCIDR!.replace(/\/\d+$/, '');
      return `${n.spec.podCIDR} via ${vtep} dev loom.vxlan`;
    });
    if (driver.name === 'lab') expect(internalIp(node)).toBe('192.168.2.14');
    // And it reaches every other node's pods over the tunnel as well.
    expect(
      (await agentRoutesOn(driver, node.metadata.name)).every((r) => r.endsWith('dev loom.vxlan')),
    ).toBe(true);
    expect(await agentRoutesOn(driver, node.metadata.name)).toHaveLength(driver.nodes.length);
    await leave(node);
    const vxlan = await driver.exec(driver.nodes[0]!, ['ip', 'link', 'show', 'loom.vxlan']);
    expect(vxlan.exitCode).not.toBe(0);
  });
});

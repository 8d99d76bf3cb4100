import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useCluster } from './cluster.ts';
import type { ClusterDriver } from './drivers/cluster-driver.ts';
import { createNamespace, deleteNamespace, getJson, isReady, type Node, type Pod } from './kube.ts';
import { agentRoutesOn, clientIpSeenBy, netexecPods } from './network.ts';

/** The node's loom-node pod (deploy/'s DaemonSet) and its route-agent container's restarts. */
async function loomNodePod(driver: ClusterDriver, node: string) {
  const list = await getJson<{ items: Pod[] }>(driver, [
    'pods',
    '-n',
    'loom-system',
    '-l',
    'app.kubernetes.io/component=route-agent',
    '--field-selector',
    `spec.nodeName=${node}`,
  ]);
  const pod = list.items[0];
  if (!pod) throw new Error(`no loom-node pod on ${node}`);
  const agent = pod.status.containerStatuses?.find((c) => c.name === 'route-agent');
  return { pod, restarts: agent?.restartCount ?? 0, ready: agent?.ready === true };
}

// The route agent in the node's own network namespace, found from the node as an operator
// would: the hostNetwork pod's process (its shebang may add Node flags), not another node's
// (the lab shares one PID space).
const AGENT_PIDS = [
  'self=$(readlink /proc/self/ns/net)',
  "for p in $(pgrep -f '^/usr/local/bin/node .*/opt/loom/bin/loom-route-agent'); do",
  '  [ "$(readlink /proc/$p/ns/net)" = "$self" ] && echo $p',
  'done',
].join('\n');

// Issue 14: Loom runs as a DaemonSet; the kubelet, not the lab, brings a killed agent back.
describe("the route agent's container, killed", () => {
  let driver: ClusterDriver;
  let pods: Map<string, Pod>;
  const ns = `e2e-restart-${randomBytes(3).toString('hex')}`;

  beforeAll(async () => {
    driver = await useCluster();
    await createNamespace(driver, ns);
    pods = await netexecPods(driver, ns, 'web', driver.nodes.slice(0, 2));
  });

  afterAll(async () => {
    if (!driver) return;
    await deleteNamespace(driver, ns);
    await driver.release();
  });

  it('is restarted by the kubelet after kill -9 on its node, and nothing is lost', async () => {
    const [first, second] = [driver.nodes[0]!, driver.nodes[1]!];
    const client = pods.get(first)!;
    const server = pods.get(second)!;
    const netns = await driver.podNetns(ns, client.metadata.name);
    const before = {
      agent: await loomNodePod(driver, first),
      routes: await agentRoutesOn(driver, first),
      addresses: (await driver.allocatedPodIps(first)).sort(),
      conflist: (await driver.exec(first, ['ls', '/etc/cni/net.d'])).stdout,
    };
    expect(before.agent.ready).toBe(true);

    const found = await driver.exec(first, ['sh', '-c', AGENT_PIDS]);
    const pids = found.stdout.split('\n').filter((line) => line !== '');
    expect(pids, found.stderr).toHaveLength(1);
    const killed = await driver.exec(first, ['kill', '-9', pids[0]!]);
    expect(killed.exitCode, killed.stderr).toBe(0);

    // While it is down, the data plane it programmed keeps carrying pod traffic.
    expect(await clientIpSeenBy(driver, { node: first, netns }, server.status.podIP!)).toBe(
      client.status.podIP,
    );
    await expect
      .poll(
        async () => {
          const now = await loomNodePod(driver, first);
          return now.restarts > before.agent.restarts && now.ready;
        },
        { timeout: 90_000, interval: 500 },
      )
      .toBe(true);
    const after = await loomNodePod(driver, first);
    // The same pod (a container restart, not a new pod), and the node never lost Ready.
    expect(after.pod.metadata.uid).toBe(before.agent.pod.metadata.uid);
    expect(isReady(await getJson<Node>(driver, ['node', first]))).toBe(true);
    expect(await agentRoutesOn(driver, first)).toEqual(before.routes);
    expect((await driver.allocatedPodIps(first)).sort()).toEqual(before.addresses);
    expect((await driver.exec(first, ['ls', '/etc/cni/net.d'])).stdout).toBe(before.conflist);
    expect(await clientIpSeenBy(driver, { node: first, netns }, server.status.podIP!)).toBe(
      client.status.podIP,
    );
  });
});

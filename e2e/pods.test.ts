import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useCluster } from './cluster.ts';
import type { ClusterDriver } from './drivers/cluster-driver.ts';
import {
  createNamespace,
  deleteNamespace,
  getJson,
  inCidr,
  isReady,
  type Node,
  type Pod,
} from './kube.ts';
import { BUSYBOX, NETEXEC_ARGS, netexecDeployment, pod } from './manifests.ts';

describe('pods', () => {
  let driver: ClusterDriver;
  const ns = `e2e-pods-${randomBytes(3).toString('hex')}`;
  const readPod = (name: string) => getJson<Pod>(driver, ['pod', '-n', ns, name]);
  const podsOf = async (app: string) =>
    (await getJson<{ items: Pod[] }>(driver, ['pods', '-n', ns, '-l', `app=${app}`])).items;

  beforeAll(async () => {
    driver = await useCluster();
    await createNamespace(driver, ns);
  });

  afterAll(async () => {
    if (!driver) return;
    await deleteNamespace(driver, ns);
    await driver.release();
  });

  it('runs a Deployment of 3 netexec pods to Ready, each with its own IP from its node podCIDR', async () => {
    await driver.apply([netexecDeployment(ns, 'netexec', 3)]);
    await expect
      .poll(async () => (await podsOf('netexec')).filter(isReady).length, { timeout: 90_000 })
      .toBe(3);
    const pods = await podsOf('netexec');
    const ips = pods.map((item) => item.status.podIP);
    expect(new Set(ips).size).toBe(3);
    for (const item of pods) {
      const node = await getJson<Node>(driver, ['node', item.spec.nodeName!]);
      expect(inCidr(item.status.podIP!, node.spec.podCIDR!)).toBe(true);
    }
  });

  it('lets a pod reach another pod on its node, which sees the client pod IP', async () => {
    const [server] = await podsOf('netexec');
    const node = server!.spec.nodeName!;
    await driver.apply([pod({ namespace: ns, name: 'client', args: ['pause'], node })]);
    await expect.poll(async () => isReady(await readPod('client')), { timeout: 60_000 }).toBe(true);
    const client = await readPod('client');
    expect(client.spec.nodeName).toBe(node);
    const url = `http://${server!.status.podIP}:8080/clientip`;
    const result = await driver.exec(`${ns}/client`, ['curl', '-sS', '--max-time', '5', url]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(
      new RegExp(`^${client.status.podIP!.replaceAll('.', '\\.')}:\\d+$`),
    );
  });

  it("shows a container's output with kubectl logs", async () => {
    await driver.apply([
      pod({
        namespace: ns,
        name: 'talker',
        image: BUSYBOX,
        command: ['sh', '-c', 'echo "hello from $(hostname)"; sleep 3600'],
      }),
    ]);
    await expect
      .poll(async () => (await driver.kubectl(['logs', '-n', ns, 'talker'])).stdout, {
        timeout: 60_000,
      })
      .toBe('hello from talker\n');
  });

  it('keeps a pod whose readiness probe fails running but NotReady', async () => {
    await driver.apply([
      pod({
        namespace: ns,
        name: 'unready',
        args: NETEXEC_ARGS,
        container: {
          readinessProbe: { exec: { command: ['cat', '/tmp/ready'] }, periodSeconds: 1 },
        },
      }),
    ]);
    await expect
      .poll(async () => (await readPod('unready')).status.containerStatuses?.[0]?.started, {
        timeout: 60_000,
      })
      .toBe(true);
    // Several probe periods later it is still running, and still not Ready.
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const unready = await readPod('unready');
    expect(unready.status.phase).toBe('Running');
    expect(unready.status.containerStatuses?.[0]?.state?.running).toBeDefined();
    expect(isReady(unready)).toBe(false);
    expect(unready.status.containerStatuses?.[0]?.restartCount).toBe(0);
  });

  it('turns a pod Ready once the file its exec readiness probe reads appears', async () => {
    await driver.apply([
      pod({
        namespace: ns,
        name: 'ready-later',
        args: NETEXEC_ARGS,
        container: {
          readinessProbe: { exec: { command: ['cat', '/tmp/ready'] }, periodSeconds: 1 },
        },
      }),
    ]);
    await expect
      .poll(async () => (await readPod('ready-later')).status.containerStatuses?.[0]?.started, {
        timeout: 60_000,
      })
      .toBe(true);
    // Without the file, several probe periods pass NotReady.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(isReady(await readPod('ready-later'))).toBe(false);

    // The file is made inside the container, in its own /tmp: agnhost netexec's /shell runs a
    // command there (how Kubernetes' own e2e tests reach into agnhost without kubectl exec),
    // asked from the pod's network namespace.
    const touched = await driver.exec(`${ns}/ready-later`, [
      'curl',
      '-sS',
      '--fail',
      '--max-time',
      '10',
      '-G',
      'http://127.0.0.1:8080/shell',
      '--data-urlencode',
      'cmd=touch /tmp/ready && echo made',
    ]);
    expect(touched.exitCode).toBe(0);
    expect(JSON.parse(touched.stdout)).toEqual({ output: 'made\n' });

    // Only the exec probe can notice it: the next probes succeed and the kubelet marks it Ready.
    await expect
      .poll(async () => isReady(await readPod('ready-later')), { timeout: 30_000 })
      .toBe(true);
    const ready = await readPod('ready-later');
    expect(ready.status.containerStatuses?.[0]?.ready).toBe(true);
    expect(ready.status.containerStatuses?.[0]?.restartCount).toBe(0);
  });

  it('restarts a container whose liveness probe fails', async () => {
    await driver.apply([
      pod({
        namespace: ns,
        name: 'unlive',
        args: NETEXEC_ARGS,
        container: {
          livenessProbe: {
            httpGet: { path: '/healthz', port: 9999 },
            periodSeconds: 1,
            failureThreshold: 1,
          },
        },
      }),
    ]);
    await expect
      .poll(async () => (await readPod('unlive')).status.containerStatuses?.[0]?.restartCount, {
        timeout: 90_000,
        interval: 1_000,
      })
      .toBeGreaterThanOrEqual(1);
  });

  it('removes a deleted pod network namespace and frees its IP', async () => {
    await driver.apply([pod({ namespace: ns, name: 'ephemeral', args: ['pause'] })]);
    await expect
      .poll(async () => isReady(await readPod('ephemeral')), { timeout: 60_000 })
      .toBe(true);
    const ephemeral = await readPod('ephemeral');
    const node = ephemeral.spec.nodeName!;
    const ip = ephemeral.status.podIP!;
    const netns = await driver.podNetns(ns, 'ephemeral');
    const present = async () => (await driver.exec(node, ['test', '-e', netns])).exitCode === 0;
    expect(await present()).toBe(true);
    expect(await driver.allocatedPodIps(node)).toContain(ip);

    const deleted = await driver.kubectl(['delete', 'pod', '-n', ns, 'ephemeral', '--wait=true']);
    expect(deleted.exitCode).toBe(0);
    await expect.poll(present, { timeout: 30_000 }).toBe(false);
    await expect.poll(() => driver.allocatedPodIps(node), { timeout: 30_000 }).not.toContain(ip);
  });
});

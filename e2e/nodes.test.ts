import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useCluster } from './cluster.ts';
import type { ClusterDriver } from './drivers/cluster-driver.ts';
import { getJson, isReady, type Node } from './kube.ts';

const nodes = async (driver: ClusterDriver) =>
  (await getJson<{ items: Node[] }>(driver, ['nodes'])).items;
const node = (driver: ClusterDriver, name: string) => getJson<Node>(driver, ['node', name]);

describe('nodes', () => {
  let driver: ClusterDriver;

  beforeAll(async () => {
    driver = await useCluster();
  });

  afterAll(async () => {
    await driver?.repair();
    await driver?.release();
  });

  it('are all Ready, running the cluster kubelet version on the cluster container runtime', async () => {
    const wide = await driver.kubectl(['get', 'nodes', '-o', 'wide']);
    expect(wide.exitCode).toBe(0);
    const rows = wide.stdout.trim().split('\n').slice(1);
    expect(rows.map((row) => row.split(/\s+/)[0])).toEqual([...driver.nodes]);
    for (const row of rows) {
      expect(row.split(/\s+/)[1]).toBe('Ready');
      expect(row).toContain(driver.expected.kubeletVersion);
    }
    for (const item of await nodes(driver)) {
      expect(isReady(item)).toBe(true);
      expect(item.status.nodeInfo.kubeletVersion).toBe(driver.expected.kubeletVersion);
      expect(item.status.nodeInfo.containerRuntimeVersion).toMatch(
        driver.expected.containerRuntime,
      );
    }
  });

  it('each have a podCIDR of their own', async () => {
    const cidrs = (await nodes(driver)).map((item) => item.spec.podCIDR);
    expect(cidrs.every((cidr) => typeof cidr === 'string')).toBe(true);
    expect(new Set(cidrs).size).toBe(driver.nodes.length);
  });

  it('turns NotReady when its kubelet dies, and Ready again once repaired', async () => {
    const name = driver.nodes.at(-1)!;
    await driver.stopKubelet(name);
    await expect
      .poll(async () => isReady(await node(driver, name)), { timeout: 90_000, interval: 1_000 })
      .toBe(false);
    await driver.repair();
    await expect
      .poll(async () => isReady(await node(driver, name)), { timeout: 60_000, interval: 500 })
      .toBe(true);
  });

  it('turns NotReady without a CNI configuration (NetworkPluginNotReady), Ready with one', async () => {
    const name = driver.nodes[0]!;
    await driver.removeCniConfig(name);
    await expect
      .poll(
        async () => {
          const ready = (await node(driver, name)).status.conditions?.find(
            (c) => c.type === 'Ready',
          );
          return `${ready?.status} ${ready?.message}`;
        },
        { timeout: 60_000, interval: 1_000 },
      )
      .toMatch(/^False .*NetworkPluginNotReady/);
    await driver.repair();
    await expect
      .poll(async () => isReady(await node(driver, name)), { timeout: 60_000, interval: 500 })
      .toBe(true);
  });
});

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { CoreV1Api, type V1Node } from '@kubernetes/client-node';
import { createCommandRunner, deleteNetns, NETNS_RUN_DIR } from '@loom-net/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labUp } from '../src/commands/lab-up.ts';
import { allMountTables, readMountTable } from '../src/mounts/mountinfo.ts';
import { planNode } from '../src/nodes/node-plan.ts';
import { nodeProcessPid } from '../src/nodes/node-processes.ts';
import { namespaceIdentity, processesInNamespaces } from '../src/process/namespace-members.ts';
import { readLabState } from '../src/state/lab-state.ts';
import {
  labSkipReason,
  startTestControlPlane,
  type TestControlPlane,
} from '../src/testing/test-control-plane.ts';

const skip = labSkipReason();

function ready(node: V1Node): { status?: string; reason?: string; message?: string } {
  return node.status?.conditions?.find((condition) => condition.type === 'Ready') ?? {};
}

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Every process whose command line names `marker` (the lab's PIDs all do). */
function processesNaming(marker: string): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name) && Number(name) !== process.pid)
    .filter((name) => {
      try {
        return readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(marker);
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe.skipIf(skip !== undefined)(`lab nodes${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let lab: TestControlPlane;
  const options = () => ({ stateDir: lab.config.stateDir, prefix: lab.config.prefix });
  const core = () => lab.kubeConfig().makeApiClient(CoreV1Api);
  const node1 = () => core().readNode({ name: 'node1' });

  beforeAll(async () => {
    // One node, no CNI: the node must register and stay NotReady, as on a fresh kind cluster.
    lab = await startTestControlPlane({ nodes: 1, cni: 'none' });
  });

  afterAll(async () => {
    await lab?.stop();
  });

  it('registers a node without CNI config and keeps it NotReady (NetworkPluginNotReady)', async () => {
    expect(lab.up.nodes).toMatchObject([{ name: 'node1', ip: '192.168.1.11', ready: false }]);
    const node = await node1();
    expect(node.spec?.podCIDR).toBe('10.244.1.0/24');
    expect(node.status?.nodeInfo?.kubeletVersion).toBe('v1.37.2');
    expect(node.status?.nodeInfo?.containerRuntimeVersion).toBe('loom-lab://0.1.0');
    // A few node-status periods later it is still NotReady, for the runtime's reason.
    await new Promise((resolve) => setTimeout(resolve, 12_000));
    expect(ready(await node1())).toMatchObject({ status: 'False' });
    expect(ready(await node1()).message).toContain('NetworkPluginNotReady');
  });

  it('makes the node Ready once up installs the bridge CNI, keeping its processes', async () => {
    const pids = lab.up.nodes[0]!.pids;
    const up = await labUp({ ...options(), cni: 'bridge' });
    expect(up.nodes).toMatchObject([{ name: 'node1', action: 'repaired', ready: true, pids }]);
    expect(ready(await node1()).status).toBe('True');
  });

  it("switches the node to Loom's CNI with loom install: its DaemonSet installs the plugins and the conflist", async () => {
    const { kubelet, 'lab-runtime': runtime } = lab.up.nodes[0]!.pids;
    const up = await labUp({ ...options(), cni: 'loom' });
    expect(up.image?.description.reference).toBe('ghcr.io/loom-net/loom:0.1.0');
    expect(up.install).toMatchObject({
      ok: true,
      components: expect.arrayContaining(['route-agent']),
    });
    expect(up.nodes).toMatchObject([
      { name: 'node1', action: 'repaired', ready: true, pids: { kubelet, 'lab-runtime': runtime } },
    ]);
    const root = planNode(lab.config, 1).root;
    // What the init container installed, where the node's runtime looks: its own /opt/cni/bin.
    expect(readdirSync(`${root}/etc/cni/net.d`)).toEqual(['10-loom.conflist']);
    expect(readdirSync(`${root}/opt/cni/bin`)).toEqual(
      expect.arrayContaining(['loom-cni', 'loom-ipam', 'loom-node']),
    );
    expect(readFileSync(`${root}/opt/cni/bin/loom-cni`, 'utf8').split('\n')[0]).toBe(
      '#!/opt/cni/bin/loom-node --no-rehash-snapshot',
    );
    const conflist = JSON.parse(readFileSync(`${root}/etc/cni/net.d/10-loom.conflist`, 'utf8'));
    expect(conflist.plugins[0]).toMatchObject({
      type: 'loom-cni',
      ipam: { type: 'loom-ipam', ranges: [[{ subnet: '10.244.1.0/24' }]] },
    });
    await expect.poll(async () => ready(await node1()).status, { timeout: 30_000 }).toBe('True');
  });

  it('keeps the kubelet mounts inside the node mount namespace', async () => {
    await core().createNamespacedPod({
      namespace: 'default',
      body: {
        metadata: { name: 'mounts' },
        spec: {
          terminationGracePeriodSeconds: 1,
          containers: [
            {
              name: 'main',
              image: 'registry.k8s.io/e2e-test-images/agnhost:2.53',
              args: ['pause'],
            },
          ],
        },
      },
    });
    await expect
      .poll(
        async () =>
          (await core().readNamespacedPod({ namespace: 'default', name: 'mounts' })).status?.phase,
        {
          timeout: 60_000,
        },
      )
      .toBe('Running');
    const kubelet = nodeProcessPid(lab.config, planNode(lab.config, 1), 'kubelet')!;
    // The service-account token is a tmpfs the kubelet mounts under its root dir.
    const tokenMount = (table: ReturnType<typeof readMountTable>) =>
      table.some(
        (entry) =>
          entry.fsType === 'tmpfs' && entry.mountPoint.startsWith('/var/lib/kubelet/pods/'),
      );
    expect(tokenMount(readMountTable(kubelet))).toBe(true);
    expect(tokenMount(readMountTable())).toBe(false);
    // Here only the private bind of the mount-namespace files and the one file in it.
    expect(
      readMountTable()
        .filter((entry) => entry.mountPoint.startsWith(lab.config.stateDir))
        .map((entry) => entry.mountPoint.slice(lab.config.stateDir.length)),
    ).toEqual(['/mntns', '/mntns/node1']);
  });

  it('repairs a node whose kubelet and runtime were killed and whose namespace was deleted', async () => {
    const node = planNode(lab.config, 1);
    for (const name of ['kubelet', 'lab-runtime'] as const) {
      process.kill(nodeProcessPid(lab.config, node, name)!, 'SIGKILL');
    }
    await deleteNetns(createCommandRunner(), node.netns);
    const up = await labUp(options());
    expect(up.nodes).toMatchObject([{ name: 'node1', action: 'restarted', ready: true }]);
    // The pod's old sandbox lost its link to the node: the kubelet makes a new one.
    await expect
      .poll(
        async () => {
          const pod = await core().readNamespacedPod({ namespace: 'default', name: 'mounts' });
          return `${pod.status?.phase} ${pod.status?.podIP}`;
        },
        { timeout: 60_000 },
      )
      .toMatch(/^Running 10\.244\.1\.\d+$/);
  });

  it('leaves no namespace, mount, process or file behind, and a second down is a no-op', async () => {
    const node = planNode(lab.config, 1);
    const state = readLabState(lab.config)!;
    const identities = new Set(
      [
        namespaceIdentity('mnt', node.mountNamespace),
        namespaceIdentity('net', `${NETNS_RUN_DIR}/${node.netns}`),
        ...readdirSync(NETNS_RUN_DIR)
          .filter((name) => name.startsWith(node.podNetnsPrefix))
          .map((name) => namespaceIdentity('net', `${NETNS_RUN_DIR}/${name}`)),
      ].filter((identity): identity is string => identity !== undefined),
    );
    const before = [
      ...processesInNamespaces(identities),
      ...processesNaming(`${lab.config.stateDir}/`),
    ];
    // kubelet, runtime, and the shims and processes of the loom-node and mounts pods
    expect(before.length).toBeGreaterThanOrEqual(5);

    const down = await lab.stop();
    expect(down.nodes).toMatchObject([{ name: 'node1', namespacesRemoved: [node.netns] }]);
    for (const pid of before) await expect.poll(() => alive(pid)).toBe(false);
    expect(processesNaming(`${lab.config.stateDir}/`)).toEqual([]);
    expect(readdirSync(NETNS_RUN_DIR).filter((name) => name.startsWith(lab.config.prefix))).toEqual(
      [],
    );
    // No mount namespace on the machine still mounts anything of the lab's.
    const leftovers = allMountTables().flatMap(({ namespace, table }) =>
      table
        .filter(
          (entry) =>
            entry.mountPoint.startsWith(lab.config.stateDir) ||
            entry.root.startsWith(lab.config.stateDir),
        )
        .map((entry) => `${namespace} ${entry.mountPoint}`),
    );
    expect(leftovers).toEqual([]);
    expect(() => readdirSync(lab.config.stateDir)).toThrow(/ENOENT/);
    // The mount points up created on the host are gone, unless another lab's node uses them.
    const inUse = new Set(
      allMountTables().flatMap(({ table }) => table.map((entry) => entry.mountPoint)),
    );
    for (const dir of state.hostDirs ?? []) {
      if ([...inUse].some((point) => point === dir || point.startsWith(`${dir}/`))) continue;
      expect(existsSync(dir), dir).toBe(false);
    }
    const again = await lab.stop();
    expect(again).toMatchObject({ found: false, nodes: [], stopped: [], namespacesRemoved: [] });
  });
});

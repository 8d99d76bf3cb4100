import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { MASQ_TABLE } from '@loom-net/cni';
import {
  applyNftTransaction,
  createNftTransaction,
  ipBatch,
  ipLinks,
  ipRoutes,
  type NftJsonEntry,
  nftJson,
  parseCidr,
} from '@loom-net/core';
import {
  canUseNetns,
  createTestNetns,
  kernelSuiteTitle,
  type TestNetns,
} from '@loom-net/core/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AGENT_DEFAULTS,
  createMasqueradeTable,
  createRouteApplier,
  createRouteReconciler,
  installConflist,
  renderCniConflist,
} from '../src/index.ts';
import { cleanNode, NODE_CLEANUP_DEFAULTS, type NodeCleanupOptions } from '../src/node-cleanup.ts';
import { node } from './fixtures/nodes.ts';
import { addNode, createTopology, type Topology, veth } from './fixtures/topology.ts';

const PROTO = AGENT_DEFAULTS.routeProtocol;
const main = fileURLToPath(new URL('../src/node-cleanup-main.ts', import.meta.url));

/** node1's view of a 3-node cluster, as the agent sees it (the test address plan). */
const CLUSTER = [
  node('node1', ['192.168.1.11'], ['10.244.1.0/24']),
  node('node2', ['192.168.1.12'], ['10.244.2.0/24']),
  node('node3', ['192.168.1.13'], ['10.244.3.0/24']),
];

interface NodeFiles {
  root: string;
  confDir: string;
  binDir: string;
  ipamDir: string;
}

describe.skipIf(!canUseNetns())(kernelSuiteTitle('loom-node-cleanup on a node'), () => {
  let topology: Topology;
  let node1: TestNetns;
  let files: NodeFiles;

  const options = (): NodeCleanupOptions => ({
    ...NODE_CLEANUP_DEFAULTS,
    runner: node1.runner,
    conflistPath: join(files.confDir, AGENT_DEFAULTS.cniConfFile),
    binDir: files.binDir,
    ipamDataDir: files.ipamDir,
  });

  /** What Loom leaves on node1 after running: set up with the agent's own functions. */
  async function installLoomState(): Promise<void> {
    await createRouteReconciler({
      nodeName: 'node1',
      mode: 'vxlan',
      vxlan: { device: AGENT_DEFAULTS.vxlanDevice, vni: 1, port: 8472 },
      protocol: PROTO,
      bridge: AGENT_DEFAULTS.cniBridge,
      applier: createRouteApplier({
        runner: node1.runner,
        vxlanDevice: AGENT_DEFAULTS.vxlanDevice,
      }),
    }).reconcile(CLUSTER);
    await createMasqueradeTable({ runner: node1.runner, table: AGENT_DEFAULTS.nftTable }).ensure([
      parseCidr('10.244.0.0/16'),
    ]);
    await applyNftTransaction(
      node1.runner,
      createNftTransaction({ family: 'inet', name: MASQ_TABLE }).add({ kind: 'table' }),
    );
    await ipBatch(node1.runner, [
      `link add ${AGENT_DEFAULTS.cniBridge} type bridge`,
      `link set ${AGENT_DEFAULTS.cniBridge} up`,
    ]);
    await installConflist(
      join(files.confDir, AGENT_DEFAULTS.cniConfFile),
      renderCniConflist({
        networkName: 'loom',
        bridge: AGENT_DEFAULTS.cniBridge,
        mtu: 1450,
        podCidrs: [parseCidr('10.244.1.0/24')],
        ipamDataDir: files.ipamDir,
        portmap: false,
      }),
    );
    for (const bin of NODE_CLEANUP_DEFAULTS.binFiles) {
      writeFileSync(join(files.binDir, bin), '#!/bin/sh\n', { mode: 0o755 });
    }
    mkdirSync(join(files.ipamDir, 'loom'), { recursive: true });
    writeFileSync(join(files.ipamDir, 'loom', 'loom-ipam.sqlite'), '');
  }

  /** Things that are not Loom's, which the cleanup must leave alone. */
  async function installForeignState(): Promise<void> {
    await ipBatch(node1.runner, ['route add 10.99.0.0/16 via 192.168.1.1 proto static']);
    await applyNftTransaction(
      node1.runner,
      createNftTransaction({ family: 'inet', name: 'someone-else' }).add({ kind: 'table' }),
    );
    writeFileSync(join(files.binDir, 'bridge'), '#!/bin/sh\n', { mode: 0o755 });
    writeFileSync(join(files.confDir, '05-other.conflist'), '{}\n');
  }

  const ownedRoutes = async () =>
    (
      await Promise.all(
        (['-4', '-6'] as const).map((family) =>
          ipRoutes(node1.runner, ['-Numeric', family, 'route', 'show', 'proto', String(PROTO)]),
        ),
      )
    ).flat();
  const linkNames = async () =>
    (await ipLinks(node1.runner, ['link', 'show'])).map((l) => l.ifname);
  const nftTables = async () =>
    (await nftJson<NftJsonEntry[]>(node1.runner, ['list', 'tables']))
      .flatMap((entry) => ('table' in entry ? [(entry.table as { name: string }).name] : []))
      .sort();

  beforeEach(async () => {
    topology = await createTopology();
    node1 = await addNode(topology, 'node1', ['192.168.1.11/24']);
    const root = mkdtempSync(join(tmpdir(), 'loom-cleanup-'));
    files = {
      root,
      confDir: join(root, 'etc/cni/net.d'),
      binDir: join(root, 'opt/cni/bin'),
      ipamDir: join(root, 'var/lib/cni/loom-ipam'),
    };
    for (const dir of [files.confDir, files.binDir]) mkdirSync(dir, { recursive: true });
    await installLoomState();
    await installForeignState();
  });
  afterEach(async () => {
    await topology?.cleanup();
    rmSync(files.root, { recursive: true, force: true });
  });

  it("starts from a node holding all of Loom's state (the setup is real)", async () => {
    expect((await ownedRoutes()).map((r) => r.dst).sort()).toEqual([
      '10.244.2.0/24',
      '10.244.3.0/24',
    ]);
    expect(await linkNames()).toEqual(expect.arrayContaining(['loom.vxlan', 'loom0']));
    expect(await nftTables()).toEqual(['loom-cni', 'loom-route-agent', 'someone-else']);
  });

  it('removes every route, device, table and file of Loom and nothing else; a second run finds nothing', async () => {
    const report = await cleanNode(options());
    expect(report).toEqual({
      routes: expect.arrayContaining(['10.244.2.0/24', '10.244.3.0/24']),
      vxlanDevice: 'removed',
      nftTables: ['loom-route-agent', 'loom-cni'],
      bridge: 'removed',
      files: [
        join(files.confDir, AGENT_DEFAULTS.cniConfFile),
        ...NODE_CLEANUP_DEFAULTS.binFiles.map((bin) => join(files.binDir, bin)),
      ],
      ipamState: 'removed',
    });
    expect(await ownedRoutes()).toEqual([]);
    expect(await linkNames()).not.toEqual(expect.arrayContaining(['loom.vxlan']));
    expect(await linkNames()).not.toContain('loom0');
    expect(await nftTables()).toEqual(['someone-else']);
    expect(readdirSync(files.binDir)).toEqual(['bridge']);
    expect(readdirSync(files.confDir)).toEqual(['05-other.conflist']);
    expect(existsSync(files.ipamDir)).toBe(false);
    const kept = await ipRoutes(node1.runner, ['-Numeric', 'route', 'show', '10.99.0.0/16']);
    expect(kept.map((r) => r.gateway)).toEqual(['192.168.1.1']);

    expect(await cleanNode(options())).toEqual({
      routes: [],
      vxlanDevice: 'absent',
      nftTables: [],
      bridge: 'absent',
      files: [],
      ipamState: 'absent',
    });
  });

  it('keeps the bridge and IPAM state while a pod is still on the bridge', async () => {
    const pod = await createTestNetns('loom-t-pod');
    topology.extra.push(pod);
    await veth(pod, 'eth0', node1, 'veth-pod1');
    await ipBatch(node1.runner, [`link set veth-pod1 master ${AGENT_DEFAULTS.cniBridge}`]);
    const report = await cleanNode(options());
    expect(report.bridge).toEqual({ kept: ['veth-pod1'] });
    expect(report.ipamState).toBe('kept');
    expect(existsSync(join(files.ipamDir, 'loom', 'loom-ipam.sqlite'))).toBe(true);
    expect(await ownedRoutes()).toEqual([]);
    expect(await nftTables()).toEqual(['someone-else']);
  });

  it('runs as the DaemonSet pod does: cleans, logs the report, marks itself done (--check), exits 0 on SIGTERM', async () => {
    const done = join(files.root, 'run/loom-node-cleanup/done');
    const args = [
      `--netns=${node1.name}`,
      `--cni-conflist=${join(files.confDir, AGENT_DEFAULTS.cniConfFile)}`,
      `--cni-bin-dir=${files.binDir}`,
      `--ipam-data-dir=${files.ipamDir}`,
      `--done-file=${done}`,
    ];
    expect((await runCleanup([...args, '--check'])).code).toBe(1);
    const pod = spawn(process.execPath, ['--conditions=loom-source', main, ...args, '--stay'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    pod.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => pod.on('exit', (code) => resolve(code)));
    try {
      for (let i = 0; i < 100 && !existsSync(done); i++) await sleep(100);
      expect(existsSync(done)).toBe(true);
      expect((await runCleanup([...args, '--check'])).code).toBe(0);
      const line = stdout
        .split('\n')
        .filter(Boolean)
        .map((text) => JSON.parse(text) as { msg: string; summary?: string })
        .find((entry) => entry.msg === 'node cleaned');
      expect(line?.summary).toMatch(
        /^2 route\(s\); vxlan removed; nft tables removed: loom-route-agent, loom-cni; bridge removed; files removed: 4; ipam state removed$/,
      );
      expect(await ownedRoutes()).toEqual([]);
    } finally {
      pod.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect((await runCleanup(['--route-protocol=999'])).code).toBe(2);
  });
});

function runCleanup(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--conditions=loom-source', main, ...args],
      { timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

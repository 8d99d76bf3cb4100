/**
 * Per-node memory: the RSS of `loom-route-agent` (the `loom-node` DaemonSet's container) and of
 * `loom-pod-cidr-allocator`, each run as its image bundle (`node <bundle> <flags>`, as the pod
 * runs it) against a lab control plane of its own, read from their own `/metrics`
 * (`process_resident_memory_bytes`, `nodejs_heap_size_*`, `nodejs_external_memory_bytes`):
 * once start-up has settled, then once 1,000 Nodes with podCIDRs have synced. Target for
 * loom-node: 100 MB (issue 14).
 *
 *   node --conditions=loom-source bench/node-memory/run.ts [--nodes 1000] [--settle 15]
 *        [--bundles DIR]
 *
 * The agent runs with `--netns` naming a throwaway `loom-t-mem-…` namespace: it programs routes,
 * the VXLAN device and masquerade there only, while it reaches the API server from the root
 * namespace as the lab's host-process agents did. CNI files go to a temporary directory; the
 * plugins are not installed (the DaemonSet's init container does that now). Needs root.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createKubeClient,
  ipBatch,
  ipJson,
  type KubeClient,
  loadKubeConfig,
  parseDaemonFlags,
} from '@loom-net/core';
import { createTestNetns, deleteRegisteredNetns, requireRoot } from '@loom-net/core/testing';
import { bundleEntrypoint } from '@loom-net/image/build';
import { labSkipReason, startTestControlPlane, type TestControlPlane } from '@loom-net/lab';
import { BenchFlagsError } from '../bench-flags.ts';
import {
  type DaemonProcess,
  type MemoryReading,
  metricSum,
  startDaemon,
} from './daemon-process.ts';
import { kubeletNode } from './kubelet-node.ts';
import {
  type NodeMemoryBenchConfig,
  nodeMemoryUsage,
  parseNodeMemoryFlags,
} from './node-memory-flags.ts';

const config = parseDaemonFlags({
  command: 'bench/node-memory/run.ts',
  parse: () => parseNodeMemoryFlags(process.argv.slice(2)),
  usage: nodeMemoryUsage,
  isUsageError: (error) => error instanceof BenchFlagsError,
});

const TARGET_MB = 100;
/**
 * flannel's own DaemonSet asks for 50 Mi (kube-flannel.yml v0.27.0: `requests: {cpu: 100m,
 * memory: 50Mi}`); kube-proxy's manifests (kubeadm's) set no memory figure to compare with.
 */
const FLANNEL_REQUEST_MB = 50 * 1.048576;
const SELF = 'loom-bench-self';
const POD_RANGE = '10.244.128.0/17';
const MB = 1e6;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const SOURCES = {
  'loom-route-agent': new URL('../../packages/route-agent/src/main.ts', import.meta.url).pathname,
  'loom-pod-cidr-allocator': new URL(
    '../../packages/ipam/src/pod-cidr-allocator/main.ts',
    import.meta.url,
  ).pathname,
};

/**
 * Node i: pod CIDR the (i+1)th /28 of POD_RANGE; InternalIP on one of three subnets: 10.10/16 is
 * the agent's own (direct routes), 10.20/16 and 10.30/16 are not (VXLAN routes, FDB and
 * neighbour entries), so each of the agent's paths carries a third or more of the Nodes.
 */
function benchNode(name: string, i: number) {
  const offset = (i + 1) * 16;
  const podCidr = `10.244.${128 + (offset >> 8)}.${offset & 255}/28`;
  const host = Math.floor(i / 3) + 2;
  const subnet = [10, 20, 30][i % 3];
  return kubeletNode({
    name,
    podCidr,
    internalIp: i < 0 ? '10.10.0.1' : `10.${subnet}.${host >> 8}.${host & 255}`,
    labels: { 'loom.dev/bench': 'node-memory' },
  });
}

async function bundles(dir: string): Promise<Record<keyof typeof SOURCES, string>> {
  if (config.bundles) {
    return {
      'loom-route-agent': join(config.bundles, 'loom-route-agent'),
      'loom-pod-cidr-allocator': join(config.bundles, 'loom-pod-cidr-allocator'),
    };
  }
  const out = { 'loom-route-agent': '', 'loom-pod-cidr-allocator': '' };
  for (const [name, source] of Object.entries(SOURCES) as [keyof typeof SOURCES, string][]) {
    out[name] = join(dir, name);
    const bytes = await bundleEntrypoint(source, out[name]);
    console.log(`  bundled ${name}: ${(bytes / 1024).toFixed(0)} KiB`);
  }
  return out;
}

async function createNodes(client: KubeClient, count: number): Promise<void> {
  const concurrency = 20;
  for (let next = 0; next < count; next += concurrency) {
    const batch = Array.from({ length: Math.min(concurrency, count - next) }, (_, j) => next + j);
    await Promise.all(
      batch.map((i) =>
        client.request({
          method: 'POST',
          path: '/api/v1/nodes',
          body: benchNode(`loom-bench-${String(i).padStart(5, '0')}`, i),
        }),
      ),
    );
  }
}

async function waitUntil(what: string, done: () => Promise<boolean>, timeoutMs: number) {
  const deadline = performance.now() + timeoutMs;
  while (!(await done())) {
    if (performance.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await sleep(500);
  }
}

interface Row {
  daemon: string;
  phase: string;
  memory: MemoryReading;
}

function report(rows: readonly Row[], settings: NodeMemoryBenchConfig): void {
  const mb = (bytes: number) => `${(bytes / MB).toFixed(1)}`.padStart(8);
  const flags = settings.nodeFlags.length > 0 ? `, node ${settings.nodeFlags.join(' ')}` : '';
  console.log(
    `\n== memory from each daemon's /metrics (MB = 10^6 bytes), ${settings.settleSeconds} s after each phase${flags}`,
  );
  console.log(
    `${'daemon'.padEnd(26)}${'phase'.padEnd(22)}${'RSS'.padStart(8)}${'heap used'.padStart(11)}${'heap total'.padStart(12)}${'external'.padStart(10)}${'anon'.padStart(8)}${'file'.padStart(8)}${'RSS/100MB'.padStart(11)}`,
  );
  for (const { daemon, phase, memory } of rows) {
    console.log(
      `${daemon.padEnd(26)}${phase.padEnd(22)}${mb(memory.rss)}${mb(memory.heapUsed).padStart(11)}${mb(memory.heapTotal).padStart(12)}${mb(memory.external).padStart(10)}${mb(memory.anon)}${mb(memory.file)}${`${((memory.rss / MB / TARGET_MB) * 100).toFixed(0)} %`.padStart(11)}`,
    );
  }
  const agent = rows.filter((row) => row.daemon === 'loom-route-agent');
  const worst = Math.max(...agent.map((row) => row.memory.rss)) / MB;
  console.log(
    `loom-node (the route agent) <= ${TARGET_MB} MB in steady state: ${worst <= TARGET_MB ? 'yes' : 'no'} (highest ${worst.toFixed(1)} MB = ${(worst / TARGET_MB).toFixed(2)} x the target, ${(worst / FLANNEL_REQUEST_MB).toFixed(2)} x flannel's 50 Mi request)`,
  );
}

async function measure(daemons: readonly DaemonProcess[], phase: string, rows: Row[]) {
  if (config.settleSeconds > 0) await sleep(config.settleSeconds * 1000);
  for (const daemon of daemons)
    rows.push({ daemon: daemon.name, phase, memory: await daemon.memory() });
}

async function main(): Promise<void> {
  requireRoot();
  const skip = labSkipReason();
  if (skip) throw new Error(`cannot run: ${skip}`);
  const dir = await mkdtemp(join(tmpdir(), 'loom-bench-node-memory-'));
  const daemons: DaemonProcess[] = [];
  let lab: TestControlPlane | undefined;
  let client: KubeClient | undefined;
  const ns = await createTestNetns('loom-t-mem');
  const rows: Row[] = [];
  try {
    const bins = await bundles(dir);
    console.log('  starting a lab control plane of its own');
    lab = await startTestControlPlane({ onProgress: (line) => console.log(`  lab: ${line}`) });
    client = createKubeClient(loadKubeConfig({ path: lab.kubeconfigPath }), {
      userAgent: 'loom-bench-node-memory/0.1',
    });
    await ipBatch(ns.runner, [
      'link add eth0 type veth peer name eth0-peer',
      'link set eth0 up',
      'link set eth0-peer up',
      'addr add 10.10.0.1/16 dev eth0',
    ]);
    await client.request({
      method: 'POST',
      path: '/api/v1/nodes',
      body: benchNode(SELF, -1),
    });
    const kubeconfig = join(dir, 'kubeconfig');
    await writeFile(kubeconfig, loadKubeConfig({ path: lab.kubeconfigPath }).exportConfig());
    daemons.push(
      await startDaemon({
        name: 'loom-route-agent',
        bundle: bins['loom-route-agent'],
        nodeFlags: config.nodeFlags,
        // biome-ignore format: one flag and its value per line
        args: [
          '--kubeconfig', kubeconfig,
          '--node-name', SELF,
          '--netns', ns.name,
          '--cni-conf-dir', join(dir, 'net.d'),
          '--cni-bin-dir', join(dir, 'bin'),
          '--ipam-data-dir', join(dir, 'ipam'),
          '--no-install-cni-plugins',
          '--health-port', '0',
          '--health-address', '127.0.0.1',
        ],
      }),
      await startDaemon({
        name: 'loom-pod-cidr-allocator',
        bundle: bins['loom-pod-cidr-allocator'],
        nodeFlags: config.nodeFlags,
        args: ['--kubeconfig', kubeconfig, '--health-port', '0', '--health-address', '127.0.0.1'],
      }),
    );
    for (const daemon of daemons) await daemon.ready(60_000);
    console.log(
      `  API server ${client.server}; agent netns ${ns.name}; pids ${daemons.map((d) => `${d.name} ${d.pid}`).join(', ')}`,
    );
    await measure(daemons, 'after start-up', rows);

    console.log(`  creating ${config.nodes} Nodes`);
    const began = performance.now();
    await createNodes(client, config.nodes);
    const benchRoutes = async () =>
      (await ipJson<unknown[]>(ns.runner, ['route', 'show', 'proto', '76', 'root', POD_RANGE]))
        .length;
    await waitUntil(
      `the agent's ${config.nodes} routes`,
      async () => (await benchRoutes()) >= config.nodes,
      180_000,
    );
    const allocator = daemons[1]!;
    await waitUntil(
      'the allocator working through every Node',
      async () => {
        const text = await allocator.metrics();
        return (
          metricSum(text, 'loom_pod_cidr_allocator_workqueue_adds_total') >= config.nodes &&
          metricSum(text, 'loom_pod_cidr_allocator_workqueue_depth') === 0
        );
      },
      180_000,
    );
    console.log(
      `  synced ${((performance.now() - began) / 1000).toFixed(1)} s after the first create: ${await benchRoutes()} bench routes in ${ns.name}`,
    );
    await measure(daemons, `after ${config.nodes} Nodes`, rows);
  } catch (error) {
    for (const daemon of daemons) {
      console.error(`-- last log lines of ${daemon.name}:\n${daemon.lastLogs().join('\n')}`);
    }
    throw error;
  } finally {
    for (const daemon of daemons) await daemon.stop();
    client?.close();
    await lab?.stop();
    await ns.cleanup();
    await deleteRegisteredNetns();
    await rm(dir, { recursive: true, force: true });
  }
  report(rows, config);
}

await main();

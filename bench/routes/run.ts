/**
 * Time from a Node's creation (the API request) to its route being programmed in the kernel,
 * at 1,000 Nodes. One route agent runs in-process against a throwaway network namespace
 * (`loom-t-bench-…`, deleted afterwards), routes only (no CNI install, no masquerade).
 *
 *   node --conditions=loom-source bench/routes/run.ts [--nodes 1000] [--steady 100]
 *        [--concurrency 20] [--kubeconfig PATH | --fake]
 *
 * By default it brings up a lab control plane of its own (the real kube-apiserver and etcd,
 * no nodes) and takes it down at the end. With --kubeconfig it uses that cluster, creating
 * (and deleting) `loom-bench-*` Node objects there: the cluster's own route agents route them
 * too while the benchmark runs. --fake uses core's in-process fake API server. Needs root
 * (network namespaces, the lab).
 */
import { parseArgs } from 'node:util';
import {
  createKubeClient,
  createLogger,
  createMetricsRegistry,
  ipBatch,
  ipJson,
  type KubeClient,
} from '@loom-net/core';
import { createTestNetns, deleteRegisteredNetns, requireRoot } from '@loom-net/core/testing';
import { createRouteAgent, type RoutesOutcome } from '@loom-net/route-agent';
import { openBenchApi } from './bench-api.ts';

const { values: flags } = parseArgs({
  options: {
    nodes: { type: 'string', default: '1000' },
    steady: { type: 'string', default: '100' },
    concurrency: { type: 'string', default: '20' },
    kubeconfig: { type: 'string' },
    fake: { type: 'boolean', default: false },
  },
});
const total = Number(flags.nodes);
const steady = Number(flags.steady);
const concurrency = Number(flags.concurrency);
const NODES = '/api/v1/nodes';
const SELF = 'loom-bench-self';

requireRoot();
const api = await openBenchApi({ kubeconfig: flags.kubeconfig, fake: flags.fake });
const client = createKubeClient(api.kubeConfig, { userAgent: 'loom-bench-routes/0.1' });
const ns = await createTestNetns('loom-t-bench');
const created: string[] = [];
const startedAt = new Map<string, number>();
const programmedAt = new Map<string, number>();
let reconciles = 0;

/**
 * The bench Nodes' pod CIDRs: /28 blocks of 10.244.128.0/17, inside Loom's default cluster CIDR,
 * so that a cluster's own podCIDR allocator (kube-controller-manager's marks the /24 holding
 * each) accepts them instead of retrying every Node with "out of the range of cluster cidr".
 */
const POD_RANGE = '10.244.128.0/17';
const MAX_BLOCKS = 2048;
if (total + steady + 1 > MAX_BLOCKS) {
  throw new Error(
    `--nodes + --steady must stay under ${MAX_BLOCKS} (the /28 blocks of ${POD_RANGE})`,
  );
}

/** Node i: InternalIP 10.10.x.y on the netns' connected /16, pod CIDR the (i+1)th /28 of POD_RANGE. */
function nodeBody(name: string, i: number) {
  const host = i + 2;
  const offset = (i + 1) * 16;
  const podCidr = `10.244.${128 + (offset >> 8)}.${offset & 255}/28`;
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'loom.dev/bench': 'routes' } },
    spec: { podCIDR: podCidr, podCIDRs: [podCidr] },
    status: { addresses: [{ type: 'InternalIP', address: `10.10.${host >> 8}.${host & 255}` }] },
  };
}

async function createNode(api: KubeClient, name: string, i: number): Promise<void> {
  startedAt.set(name, performance.now());
  await api.request({ method: 'POST', path: NODES, body: nodeBody(name, i) });
  created.push(name);
}

function onApplied(outcome: RoutesOutcome): void {
  reconciles += 1;
  const now = performance.now();
  for (const name of outcome.programmed) if (!programmedAt.has(name)) programmedAt.set(name, now);
}

async function waitFor(names: readonly string[], timeoutMs = 60_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (names.some((name) => !programmedAt.has(name))) {
    if (performance.now() > deadline)
      throw new Error(`routes not programmed within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function summary(label: string, names: readonly string[]): { p99: number } {
  const ms = names
    .map((n) => (programmedAt.get(n) ?? Number.NaN) - (startedAt.get(n) ?? Number.NaN))
    .sort((a, b) => a - b);
  const at = (q: number) => ms[Math.max(0, Math.ceil(q * ms.length) - 1)] ?? Number.NaN;
  const fmt = (v: number) => `${v.toFixed(1)} ms`;
  console.log(
    `${label.padEnd(34)} n=${ms.length}  p50 ${fmt(at(0.5))}  p90 ${fmt(at(0.9))}  p99 ${fmt(at(0.99))}  max ${fmt(at(1))}`,
  );
  return { p99: at(0.99) };
}

const agent = createRouteAgent({
  client,
  nodeName: SELF,
  runner: ns.runner,
  mode: 'auto',
  resyncMs: 30_000,
  protocol: 76,
  vxlan: { device: 'loom.vxlan', vni: 1, port: 8472 },
  bridge: 'loom0',
  logger: createLogger({ component: 'bench-routes', level: 'warn' }),
  metrics: createMetricsRegistry('loom_route_agent', { defaultMetrics: false }),
  onRoutesApplied: onApplied,
});

try {
  // An underlay /16 holding every bench node's InternalIP: all routes are direct.
  await ipBatch(ns.runner, [
    'link add eth0 type veth peer name eth0-peer',
    'link set eth0 up',
    'link set eth0-peer up',
    'addr add 10.10.0.1/16 dev eth0',
  ]);
  await client.request({
    method: 'POST',
    path: NODES,
    body: {
      ...nodeBody(SELF, -1),
      status: { addresses: [{ type: 'InternalIP', address: '10.10.0.1' }] },
    },
  });
  created.push(SELF);
  await agent.start();
  console.log(`API server: ${client.server}, ${api.description}; netns ${ns.name}`);

  const burst = Array.from({ length: total }, (_, i) => `loom-bench-${String(i).padStart(5, '0')}`);
  const burstStart = performance.now();
  for (let next = 0; next < burst.length; ) {
    const batch = burst.slice(next, next + concurrency);
    await Promise.all(batch.map((name, j) => createNode(client, name, next + j)));
    next += batch.length;
  }
  await waitFor(burst);
  const burstMs = performance.now() - burstStart;
  const first = summary(`burst: ${total} Nodes, ${concurrency} at a time`, burst);
  console.log(
    `  all ${total} routes programmed ${burstMs.toFixed(0)} ms after the first create; ${reconciles} reconciles`,
  );

  const later = Array.from(
    { length: steady },
    (_, i) => `loom-bench-${String(total + i).padStart(5, '0')}`,
  );
  for (const [i, name] of later.entries()) {
    await createNode(client, name, total + i);
    await waitFor([name]);
  }
  const second = summary(`steady: 1 more at a time, ${total} present`, later);

  // Only the bench Nodes' routes: on a live cluster the agent also routes the real nodes.
  const routes = await ipJson<unknown[]>(ns.runner, [
    'route',
    'show',
    'proto',
    '76',
    'root',
    POD_RANGE,
  ]);
  console.log(
    `kernel: ${routes.length} routes with proto 76 in ${POD_RANGE} (expected ${total + steady})`,
  );
  const worst = Math.max(first.p99, second.p99);
  console.log(`p99 < 1 s: ${worst < 1000 ? 'yes' : 'no'} (worst p99 ${worst.toFixed(1)} ms)`);
  if (routes.length !== total + steady) process.exitCode = 1;
} finally {
  await agent.stop();
  for (let i = 0; i < created.length; i += concurrency) {
    await Promise.allSettled(
      created
        .slice(i, i + concurrency)
        .map((name) => client.request({ method: 'DELETE', path: `${NODES}/${name}` })),
    );
  }
  client.close();
  await ns.cleanup();
  await deleteRegisteredNetns();
  await api.close();
}

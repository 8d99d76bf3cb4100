/**
 * Time from a Node's creation (the API request) to its route being programmed in the kernel,
 * at 1,000 Nodes. The agent measured is one route agent in-process against a throwaway network
 * namespace (`loom-t-bench-…`, deleted afterwards), routes only (no CNI install, no masquerade).
 *
 *   node --conditions=loom-source bench/routes/run.ts [--case both|realistic|idle]
 *        [--kubeconfig PATH] [--fake] [--nodes 1000] [--steady 100] [--concurrency 20]
 *        [--rounds 3]
 *
 * Two cases, each on a cluster of its own, brought up and taken down around it; by default
 * both, realistic first:
 * - realistic: a 3-node lab (`@loom-net/lab`, Loom's CNI: a loom-route-agent per node, as
 *   `loom lab up` runs it). The lab's three agents route every bench Node too (over VXLAN: the
 *   bench Nodes are not on their subnet) on the same cores, while kubelets and the lab runtime
 *   run. `--kubeconfig` runs this case on a cluster that runs already, e.g. the lab's.
 * - idle: a bare lab control plane (kube-apiserver, etcd, kube-controller-manager, no nodes):
 *   the bench's agent is the only one, the best case. `--fake` runs it against core's
 *   in-process fake API server.
 * Bad flag values are usage errors (exit 2). Needs root (network namespaces, the lab).
 */
import {
  createKubeClient,
  createLogger,
  createMetricsRegistry,
  ipBatch,
  ipJson,
  parseDaemonFlags,
} from '@loom-net/core';
import { createTestNetns, deleteRegisteredNetns, requireRoot } from '@loom-net/core/testing';
import { createRouteAgent, type RoutesOutcome } from '@loom-net/route-agent';
import { BenchFlagsError } from '../bench-flags.ts';
import { nearestRank, P99_MIN_SAMPLES } from '../bench-stats.ts';
import { type BenchApiTarget, openBenchApi } from './bench-api.ts';
import { parseRoutesFlags, type RoutesBenchConfig, routesUsage } from './routes-flags.ts';

const config = parseDaemonFlags({
  command: 'bench/routes/run.ts',
  parse: () => parseRoutesFlags(process.argv.slice(2)),
  usage: routesUsage,
  isUsageError: (error) => error instanceof BenchFlagsError,
});
const NODES = '/api/v1/nodes';
const SELF = 'loom-bench-self';
/** The lab of the realistic case: as many nodes as `loom lab up` makes by default. */
const LAB_NODES = 3;
/** After a cluster comes up, before the first create: its start-up work is not the load. */
const SETTLE_MS = 10_000;
const TARGET_MS = 1000;

/**
 * The bench Nodes' pod CIDRs: /28 blocks of 10.244.128.0/17, inside Loom's default cluster CIDR,
 * so that a cluster's own podCIDR allocator (kube-controller-manager's marks the /24 holding
 * each) accepts them instead of retrying every Node with "out of the range of cluster cidr".
 */
const POD_RANGE = '10.244.128.0/17';

interface Case {
  key: 'realistic' | 'idle';
  title: string;
  target: BenchApiTarget;
}

interface PhaseStats {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

interface CaseResult {
  case: Case;
  description: string;
  burst: PhaseStats;
  steady: PhaseStats;
  /** Per round: create of the first burst Node → all burst routes programmed, and reconciles. */
  bursts: { ms: number; reconciles: number }[];
  routesOk: boolean;
}

function casesOf(flags: RoutesBenchConfig): Case[] {
  const realistic: Case = {
    key: 'realistic',
    title: flags.kubeconfig
      ? `realistic: a running cluster (${flags.kubeconfig}), its own agents route the bench Nodes too`
      : `realistic: a ${LAB_NODES}-node lab whose ${LAB_NODES} route agents route the bench Nodes too`,
    target: flags.kubeconfig
      ? { kind: 'kubeconfig', path: flags.kubeconfig }
      : { kind: 'lab', nodes: LAB_NODES },
  };
  const idle: Case = {
    key: 'idle',
    title: flags.fake
      ? "idle best case: one agent against core's in-process fake API server"
      : 'idle best case: one agent against a bare control plane (no nodes, no other agent)',
    target: flags.fake ? { kind: 'fake' } : { kind: 'control-plane' },
  };
  if (flags.case === 'realistic') return [realistic];
  if (flags.case === 'idle') return [idle];
  return [realistic, idle];
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

function stats(samples: readonly number[]): PhaseStats {
  const at = (q: number) => nearestRank(samples, q);
  return { n: samples.length, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: at(1) };
}

function phaseLine(label: string, s: PhaseStats): string {
  const fmt = (v: number) => `${v.toFixed(1)} ms`;
  return `  ${label.padEnd(40)} n=${String(s.n).padEnd(5)} p50 ${fmt(s.p50)}  p90 ${fmt(s.p90)}  p99 ${fmt(s.p99)}  max ${fmt(s.max)}`;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One case: its cluster up, the bench's agent on it, `rounds` × (burst + steady), all taken down. */
async function runCase(flags: RoutesBenchConfig, which: Case): Promise<CaseResult> {
  console.log(`\n== ${which.title}`);
  const api = await openBenchApi(which.target, (line) => console.log(`  lab: ${line}`));
  const client = createKubeClient(api.kubeConfig, { userAgent: 'loom-bench-routes/0.1' });
  const ns = await createTestNetns('loom-t-bench');
  const created = new Set<string>();
  let startedAt = new Map<string, number>();
  let programmedAt = new Map<string, number>();
  let reconciles = 0;

  async function createNode(name: string, i: number): Promise<void> {
    startedAt.set(name, performance.now());
    await client.request({ method: 'POST', path: NODES, body: nodeBody(name, i) });
    created.add(name);
  }

  async function deleteNodes(names: readonly string[]): Promise<void> {
    for (let i = 0; i < names.length; i += flags.concurrency) {
      await Promise.allSettled(
        names.slice(i, i + flags.concurrency).map(async (name) => {
          await client.request({ method: 'DELETE', path: `${NODES}/${name}` });
          created.delete(name);
        }),
      );
    }
  }

  function onApplied(outcome: RoutesOutcome): void {
    reconciles += 1;
    const now = performance.now();
    for (const name of outcome.programmed) {
      if (startedAt.has(name) && !programmedAt.has(name)) programmedAt.set(name, now);
    }
  }

  async function waitFor(names: readonly string[], timeoutMs = 60_000): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (names.some((name) => !programmedAt.has(name))) {
      if (performance.now() > deadline)
        throw new Error(`routes not programmed within ${timeoutMs} ms`);
      await sleep(5);
    }
  }

  // Only the bench Nodes' routes: on a live cluster the agent also routes the real nodes.
  const benchRoutes = async () =>
    (await ipJson<unknown[]>(ns.runner, ['route', 'show', 'proto', '76', 'root', POD_RANGE]))
      .length;

  const latencies = (names: readonly string[]) =>
    names.map((n) => (programmedAt.get(n) ?? Number.NaN) - (startedAt.get(n) ?? Number.NaN));

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

  // A fake API server has no start-up work to let pass.
  const settleMs = which.target.kind === 'fake' ? 0 : SETTLE_MS;
  const burstMs: number[] = [];
  const steadyMs: number[] = [];
  const bursts: CaseResult['bursts'] = [];
  let routesOk = true;
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
    created.add(SELF);
    await agent.start();
    console.log(`  API server: ${client.server}, ${api.description}; netns ${ns.name}`);
    if (settleMs > 0) {
      console.log(`  settling ${settleMs / 1000} s before the first create`);
      await sleep(settleMs);
    }

    for (let round = 0; round < flags.rounds; round++) {
      startedAt = new Map();
      programmedAt = new Map();
      const name = (i: number) => `loom-bench-r${round}-${String(i).padStart(5, '0')}`;
      const burst = Array.from({ length: flags.nodes }, (_, i) => name(i));
      const reconcilesBefore = reconciles;
      const burstStart = performance.now();
      for (let next = 0; next < burst.length; ) {
        const batch = burst.slice(next, next + flags.concurrency);
        await Promise.all(batch.map((node, j) => createNode(node, next + j)));
        next += batch.length;
      }
      await waitFor(burst);
      const allMs = performance.now() - burstStart;
      bursts.push({ ms: allMs, reconciles: reconciles - reconcilesBefore });

      const later = Array.from({ length: flags.steady }, (_, i) => name(flags.nodes + i));
      for (const [i, node] of later.entries()) {
        await createNode(node, flags.nodes + i);
        await waitFor([node]);
      }
      const roundLabel = flags.rounds > 1 ? ` (round ${round + 1} of ${flags.rounds})` : '';
      console.log(
        phaseLine(
          `burst: ${flags.nodes} Nodes, ${flags.concurrency} at a time`,
          stats(latencies(burst)),
        ) + roundLabel,
      );
      console.log(
        `    all ${flags.nodes} routes programmed ${allMs.toFixed(0)} ms after the first create; ${bursts.at(-1)!.reconciles} reconciles`,
      );
      console.log(
        phaseLine(`steady: 1 more at a time, ${flags.nodes} present`, stats(latencies(later))) +
          roundLabel,
      );
      burstMs.push(...latencies(burst));
      steadyMs.push(...latencies(later));

      const expected = flags.nodes + flags.steady;
      const found = await benchRoutes();
      console.log(
        `    kernel: ${found} routes with proto 76 in ${POD_RANGE} (expected ${expected})`,
      );
      if (found !== expected) routesOk = false;
      if (round + 1 < flags.rounds) {
        // The next round starts from no bench route (the agent removes them as the Nodes go),
        // and after the cluster's own agents have had the same time to follow.
        await deleteNodes([...burst, ...later]);
        const deadline = performance.now() + 60_000;
        while ((await benchRoutes()) > 0) {
          if (performance.now() > deadline) throw new Error('bench routes still there after 60 s');
          await sleep(100);
        }
        await sleep(settleMs);
      }
    }
  } finally {
    await agent.stop();
    await deleteNodes([...created]);
    client.close();
    await ns.cleanup();
    await deleteRegisteredNetns();
    await api.close();
  }
  return {
    case: which,
    description: api.description,
    burst: stats(burstMs),
    steady: stats(steadyMs),
    bursts,
    routesOk,
  };
}

function summary(results: readonly CaseResult[]): void {
  console.log(
    `\n== Node created -> its route in the kernel (target p99 < ${TARGET_MS} ms), realistic first`,
  );
  const tail = (s: PhaseStats) =>
    s.n >= P99_MIN_SAMPLES ? { name: 'p99', ms: s.p99 } : { name: 'max', ms: s.max };
  const first = results[0]!;
  const head = [
    'burst p50',
    `burst ${tail(first.burst).name}`,
    'steady p50',
    `steady ${tail(first.steady).name}`,
    'all routes',
  ];
  console.log(`${''.padEnd(30)}${head.map((h) => h.padStart(12)).join('')}`);
  for (const result of results) {
    const all = result.bursts.map((b) => b.ms);
    const cells = [
      result.burst.p50,
      tail(result.burst).ms,
      result.steady.p50,
      tail(result.steady).ms,
      all.reduce((a, b) => a + b, 0) / all.length,
    ].map((v) => `${v.toFixed(0)} ms`.padStart(12));
    const label =
      result.case.key === 'realistic'
        ? `realistic (${result.case.target.kind === 'lab' ? `${LAB_NODES}-node lab` : 'running cluster'})`
        : `idle (${result.case.target.kind === 'fake' ? 'fake API server' : 'bare control plane'})`;
    console.log(`${label.padEnd(30)}${cells.join('')}`);
  }
  console.log(
    `(n = ${first.burst.n} burst and ${first.steady.n} steady samples per case, max where n < ${P99_MIN_SAMPLES}; "all routes": first create -> all burst routes, mean over rounds)`,
  );
  const realistic = results.find((r) => r.case.key === 'realistic');
  const judged = realistic ?? first;
  const worst = Math.max(tail(judged.burst).ms, tail(judged.steady).ms);
  console.log(
    `p99 < ${TARGET_MS} ms in the ${judged.case.key} case${realistic ? '' : ' (the realistic case was not run)'}: ${worst < TARGET_MS ? 'yes' : 'no'} (worst ${worst.toFixed(1)} ms)`,
  );
}

requireRoot();
const results: CaseResult[] = [];
for (const which of casesOf(config)) results.push(await runCase(config, which));
summary(results);
if (results.some((result) => !result.routesOk)) process.exitCode = 1;

import { BenchFlagsError, countFlag, parseBenchArgs } from '../bench-flags.ts';

/**
 * `realistic`: the bench's agent on a running lab whose own route agents (one per node) route
 * every bench Node too, on the same cores; `idle`: the bench's agent alone against a bare
 * control plane, the best case; `both`: realistic, then idle.
 */
export type RoutesCase = 'realistic' | 'idle' | 'both';
export const ROUTES_CASES: readonly RoutesCase[] = ['realistic', 'idle', 'both'];

/**
 * The bench Nodes' pod CIDRs are /28 blocks of 10.244.128.0/17 (2,048 of them); one is the
 * bench's own Node's.
 */
export const MAX_BENCH_NODES = 2048 - 1;

export interface RoutesBenchConfig {
  case: RoutesCase;
  /** The realistic case on this running cluster instead of a lab of its own. */
  kubeconfig?: string;
  /** The idle case against core's in-process fake API server instead of a control plane. */
  fake: boolean;
  /** Nodes created in the burst. */
  nodes: number;
  /** Nodes created one at a time afterwards. */
  steady: number;
  /** Create requests in flight at once during the burst. */
  concurrency: number;
  /** Burst + steady, this many times on each cluster (the Nodes deleted in between). */
  rounds: number;
}

export type ParsedRoutesFlags = { help: true } | { help: false; config: RoutesBenchConfig };

export function parseRoutesFlags(argv: readonly string[]): ParsedRoutesFlags {
  const values = parseBenchArgs(argv, {
    case: { type: 'string', default: 'both' },
    kubeconfig: { type: 'string' },
    fake: { type: 'boolean', default: false },
    nodes: { type: 'string', default: '1000' },
    steady: { type: 'string', default: '100' },
    concurrency: { type: 'string', default: '20' },
    rounds: { type: 'string', default: '3' },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) return { help: true };
  const which = values.case as RoutesCase;
  if (!ROUTES_CASES.includes(which)) {
    throw new BenchFlagsError(
      `--case must be one of ${ROUTES_CASES.join(', ')}, not ${JSON.stringify(values.case)}`,
    );
  }
  if (values.kubeconfig !== undefined && which === 'idle') {
    throw new BenchFlagsError(
      '--kubeconfig is where the realistic case runs; --case idle has none',
    );
  }
  if (values.kubeconfig === '') throw new BenchFlagsError('--kubeconfig needs a path');
  if (values.fake && which === 'realistic') {
    throw new BenchFlagsError(
      "--fake replaces the idle case's control plane; --case realistic has none",
    );
  }
  const nodes = countFlag('nodes', values.nodes, 1, MAX_BENCH_NODES - 1);
  const steady = countFlag('steady', values.steady, 1, MAX_BENCH_NODES - 1);
  if (nodes + steady > MAX_BENCH_NODES) {
    throw new BenchFlagsError(
      `--nodes + --steady must be at most ${MAX_BENCH_NODES} (the /28 blocks of 10.244.128.0/17 less the bench's own), not ${nodes + steady}`,
    );
  }
  return {
    help: false,
    config: {
      case: which,
      ...(values.kubeconfig !== undefined ? { kubeconfig: values.kubeconfig } : {}),
      fake: values.fake,
      nodes,
      steady,
      concurrency: countFlag('concurrency', values.concurrency, 1, 1000),
      rounds: countFlag('rounds', values.rounds, 1, 100),
    },
  };
}

export function routesUsage(): string {
  return `Usage: bench/routes/run.ts [--case both|realistic|idle] [--kubeconfig PATH] [--fake]
                           [--nodes 1000] [--steady 100] [--concurrency 20] [--rounds 3]

Time from a Node's create request to its route in the kernel, at 1,000 Nodes. Needs root.

  --case C          realistic: a 3-node lab of its own (Loom's CNI: a loom-route-agent per node,
                      which routes every bench Node too) and the bench's agent on it;
                    idle: the bench's agent alone against a bare control plane of its own;
                    both (default): realistic, then idle
  --kubeconfig P    the realistic case on this running cluster (e.g. the lab's
                      /var/lib/loom-lab/kubeconfig.host) instead of a lab of its own
  --fake            the idle case against core's in-process fake API server
  --nodes N         Nodes created in the burst, at least 1 (default 1000)
  --steady N        Nodes created one at a time after it, at least 1 (default 100);
                      --nodes + --steady at most ${MAX_BENCH_NODES}
  --concurrency N   create requests in flight during the burst, 1 to 1000 (default 20)
  --rounds N        burst + steady this many times per cluster, 1 to 100 (default 3: 300
                      steady samples, enough for a p99; below 300 the summary says max)
`;
}

import { BenchFlagsError, countFlag, parseBenchArgs } from '../bench-flags.ts';

/**
 * The bench Nodes' pod CIDRs are /28 blocks of 10.244.128.0/17 (2,048 of them), one of which
 * is the agent's own Node's (bench/routes uses the same plan, for the same reason: the lab's
 * kube-controller-manager accepts them).
 */
export const MAX_BENCH_NODES = 2048 - 1;

export interface NodeMemoryBenchConfig {
  /** Node objects created after the start-up reading. */
  nodes: number;
  /** Wait after each phase before reading memory: start-up work and the sync's garbage settle. */
  settleSeconds: number;
  /**
   * A directory holding `loom-route-agent` and `loom-pod-cidr-allocator` bundles to measure
   * (another build, an unpacked image's /opt/loom/bin); default: bundled from source now.
   */
  bundles?: string;
  /** Node/V8 flags for the daemons (`node <flags> <bundle>`), e.g. `--max-semi-space-size=1`. */
  nodeFlags: string[];
}

export type ParsedNodeMemoryFlags = { help: true } | { help: false; config: NodeMemoryBenchConfig };

export function parseNodeMemoryFlags(argv: readonly string[]): ParsedNodeMemoryFlags {
  const values = parseBenchArgs(argv, {
    nodes: { type: 'string', default: '1000' },
    settle: { type: 'string', default: '15' },
    bundles: { type: 'string' },
    'node-flags': { type: 'string', default: '' },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) return { help: true };
  if (values.bundles === '') throw new BenchFlagsError('--bundles needs a directory');
  const nodeFlags = values['node-flags'].split(/\s+/).filter((flag) => flag.length > 0);
  const notFlag = nodeFlags.find((flag) => !flag.startsWith('--'));
  if (notFlag !== undefined) {
    throw new BenchFlagsError(
      `--node-flags takes Node flags (--…), not ${JSON.stringify(notFlag)}`,
    );
  }
  return {
    help: false,
    config: {
      nodes: countFlag('nodes', values.nodes, 1, MAX_BENCH_NODES),
      settleSeconds: countFlag('settle', values.settle, 0, 600),
      ...(values.bundles !== undefined ? { bundles: values.bundles } : {}),
      nodeFlags,
    },
  };
}

export function nodeMemoryUsage(): string {
  return `Usage: bench/node-memory/run.ts [--nodes 1000] [--settle 15] [--bundles DIR]
                                [--node-flags "FLAGS"]

RSS of loom-route-agent and loom-pod-cidr-allocator, each run as its image bundle against a
lab control plane of its own: after start-up, then after N Nodes with podCIDRs. Target for the
route agent (loom-node): 100 MB. Needs root; the agent programs only a throwaway netns.

  --nodes N     Node objects created, 1 to ${MAX_BENCH_NODES} (default 1000)
  --settle S    seconds to wait before each reading, 0 to 600 (default 15)
  --bundles D   measure the loom-route-agent and loom-pod-cidr-allocator bundles in D (e.g. an
                  older build) instead of bundling the source now
  --node-flags F  Node/V8 flags for both daemons on top of their bundles' own first-line
                  flags (the image's), space-separated, e.g. "--max-semi-space-size=1"
`;
}

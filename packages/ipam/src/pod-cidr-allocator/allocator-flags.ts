import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { type ClusterConfig, checkClusterConfig, nodeMaskSize } from '@loom-net/core';
import type { PoolSpec } from './pod-cidr-pools.ts';

const FLAGS = [
  ['kubeconfig', 'PATH', 'kubeconfig; default KUBECONFIG, in-cluster, ~/.kube/config', undefined],
  [
    'cluster-cidr',
    'CIDRS',
    'cluster pod CIDR(s), comma-separated, one per family',
    '10.244.0.0/16',
  ],
  ['service-cidr', 'CIDRS', 'service CIDR(s); pod CIDRs must not overlap them', '10.96.0.0/12'],
  [
    'node-cidr-mask-size-ipv4',
    'N',
    'prefix length of each node’s IPv4 block (default 24)',
    undefined,
  ],
  [
    'node-cidr-mask-size-ipv6',
    'N',
    'prefix length of each node’s IPv6 block (default 64)',
    undefined,
  ],
  ['lease-namespace', 'NS', 'namespace of the leader-election Lease', 'kube-system'],
  ['lease-name', 'NAME', 'name of the leader-election Lease', 'loom-pod-cidr-allocator'],
  ['identity', 'ID', 'this candidate’s identity; default <hostname>_<uuid>', undefined],
  ['health-port', 'PORT', '/healthz, /readyz, /metrics port (0 picks one)', '9103'],
  ['health-address', 'ADDR', 'address the health server binds; default all', undefined],
  ['log-level', 'LEVEL', 'trace … silent (default info; also LOOM_LOG_LEVEL)', undefined],
] as const;

type FlagName = (typeof FLAGS)[number][0];

export interface AllocatorConfig {
  readonly kubeconfig?: string;
  readonly pools: readonly PoolSpec[];
  readonly leaseNamespace: string;
  readonly leaseName: string;
  readonly identity: string;
  readonly healthPort: number;
  readonly healthAddress?: string;
  readonly logLevel?: string;
}

export class AllocatorFlagsError extends Error {
  readonly code = 'LOOM_INVALID_FLAGS';
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`invalid pod CIDR allocator flags (${problems.length}):\n  ${problems.join('\n  ')}`);
    this.name = 'AllocatorFlagsError';
    this.problems = problems;
  }
}

/** Flags, then `LOOM_<FLAG>` variables, then defaults; the address plan is checked by core's ClusterConfig rules. */
export function parseAllocatorFlags(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): { help: true } | { help: false; config: AllocatorConfig } {
  let values: Record<string, string | boolean | undefined>;
  try {
    const options: Record<string, { type: 'string' | 'boolean' }> = { help: { type: 'boolean' } };
    for (const [name] of FLAGS) options[name] = { type: 'string' };
    ({ values } = parseArgs({ args: [...argv], options, strict: true }));
  } catch (error) {
    throw new AllocatorFlagsError([(error as Error).message]);
  }
  if (values.help === true) return { help: true };
  const value = (name: FlagName): string | undefined => {
    const given = values[name] ?? env[`LOOM_${name.toUpperCase().replaceAll('-', '_')}`];
    return typeof given === 'string' && given !== '' ? given : FLAGS.find(([n]) => n === name)?.[3];
  };
  const problems: string[] = [];
  const port = Number(value('health-port'));
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    problems.push(`--health-port: "${value('health-port')}" is not a port`);
  const plan = checkClusterConfig(
    {
      podCidrs: value('cluster-cidr'),
      serviceCidrs: value('service-cidr'),
      nodeMaskSizes: nodeMasks(
        value('node-cidr-mask-size-ipv4'),
        value('node-cidr-mask-size-ipv6'),
      ),
    },
    { root: 'flags' },
  );
  if (!plan.ok) problems.push(...plan.issues.map((issue) => flagNamesIn(issue.message)));
  if (problems.length > 0 || !plan.ok) throw new AllocatorFlagsError(problems);
  return {
    help: false,
    config: {
      kubeconfig: value('kubeconfig'),
      pools: poolsOf(plan.config),
      leaseNamespace: value('lease-namespace') ?? 'kube-system',
      leaseName: value('lease-name') ?? 'loom-pod-cidr-allocator',
      identity: value('identity') ?? `${hostname()}_${randomUUID()}`,
      healthPort: port,
      healthAddress: value('health-address'),
      logLevel: value('log-level'),
    },
  };
}

/** Only the sizes given (absent ones take core's defaults); a non-number stays text so the
 * ClusterConfig check quotes it. */
function nodeMasks(ipv4: string | undefined, ipv6: string | undefined): Record<string, unknown> {
  const masks: Record<string, unknown> = {};
  for (const [family, text] of [
    ['ipv4', ipv4],
    ['ipv6', ipv6],
  ] as const) {
    if (text !== undefined) masks[family] = /^\d+$/.test(text) ? Number(text) : text;
  }
  return masks;
}

/** ClusterConfig paths, spelled as the flags that set them. */
function flagNamesIn(message: string): string {
  return message
    .replace(/^flags\.podCidrs/, '--cluster-cidr')
    .replace(/^flags\.serviceCidrs/, '--service-cidr')
    .replace(/^flags\.nodeMaskSizes\.ipv([46])/, '--node-cidr-mask-size-ipv$1');
}

function poolsOf(config: ClusterConfig): PoolSpec[] {
  return config.podCidrs.map((cidr) => ({
    cidr,
    nodeMask: nodeMaskSize(config, cidr.family) ?? (cidr.family === 4 ? 24 : 64),
  }));
}

export function allocatorUsage(): string {
  const lines = FLAGS.map(([name, arg, help, fallback]) => {
    const left = `  --${name} ${arg}`;
    return `${left.padEnd(36)}${help}${fallback === undefined ? '' : ` (default ${fallback})`}`;
  });
  return [
    'Usage: loom-pod-cidr-allocator [flags]',
    '',
    'Assigns spec.podCIDR(s) to Nodes that lack one, from the cluster CIDR(s); leader-elected.',
    'Every flag can also be set as LOOM_<FLAG> (e.g. LOOM_CLUSTER_CIDR).',
    '',
    ...lines,
    '  --help',
    '',
  ].join('\n');
}

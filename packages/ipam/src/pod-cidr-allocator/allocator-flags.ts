import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import {
  type ClusterConfig,
  checkClusterConfig,
  defineFlagTable,
  type FlagValues,
  flagUsage,
  formatCidr,
  healthAddressFlag,
  healthPortFlag,
  kubeconfigFlag,
  logLevelFlag,
  nodeMaskSize,
  parseClusterConfig,
  parseFlags,
} from '@loom-net/core';
import type { PoolSpec } from './pod-cidr-pools.ts';

/**
 * Every flag, as data: the parser, `--help` and the README's flag table are written from it
 * (`test/pod-cidr-allocator/allocator-flags.test.ts` keeps the README in step).
 */
export const ALLOCATOR_FLAG_TABLE = defineFlagTable({
  command: 'loom-pod-cidr-allocator',
  subject: 'pod CIDR allocator',
  synopsis: '[flags]',
  description:
    'Assigns spec.podCIDR(s) to Nodes that lack one, from the cluster CIDR(s); leader-elected.',
  envPrefix: 'LOOM_',
  flags: {
    kubeconfig: kubeconfigFlag,
    'cluster-cidr': {
      kind: 'cidrs',
      default: ['10.244.0.0/16'],
      help: 'cluster pod CIDR(s), one per family',
    },
    'service-cidr': {
      kind: 'cidrs',
      default: ['10.96.0.0/12'],
      help: 'service CIDR(s); pod CIDRs must not overlap them',
    },
    // No default of their own: an absent size takes core's ClusterConfig default.
    'node-cidr-mask-size-ipv4': {
      kind: 'number',
      max: 32,
      defaultText: '`24`',
      help: "prefix length of each node's IPv4 block",
    },
    'node-cidr-mask-size-ipv6': {
      kind: 'number',
      max: 128,
      defaultText: '`64`',
      help: "prefix length of each node's IPv6 block",
    },
    'lease-namespace': {
      kind: 'string',
      arg: 'NS',
      default: 'kube-system',
      help: 'namespace of the leader-election Lease',
    },
    'lease-name': {
      kind: 'string',
      arg: 'NAME',
      default: 'loom-pod-cidr-allocator',
      help: 'name of the leader-election Lease',
    },
    identity: {
      kind: 'string',
      arg: 'ID',
      defaultText: '`<hostname>_<uuid>`',
      help: "this candidate's identity in the Lease",
    },
    'health-port': healthPortFlag(9103),
    'health-address': healthAddressFlag,
    'log-level': logLevelFlag,
  },
});

type AllocatorFlagValues = FlagValues<typeof ALLOCATOR_FLAG_TABLE.flags>;

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

/** The allocator's usage error is core's: every bad flag, each naming its variable; exit 2. */
export { FlagsError as AllocatorFlagsError } from '@loom-net/core';

/** Flags, then `LOOM_<FLAG>` variables, then defaults; the address plan is checked by core's ClusterConfig rules. */
export function parseAllocatorFlags(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): { help: true } | { help: false; config: AllocatorConfig } {
  const parsed = parseFlags(ALLOCATOR_FLAG_TABLE, argv, env, addressPlanProblems);
  return parsed.help ? parsed : { help: false, config: allocatorConfigOf(parsed.config) };
}

export function allocatorUsage(): string {
  return flagUsage(ALLOCATOR_FLAG_TABLE);
}

const PLAN_FLAGS = [
  'cluster-cidr',
  'service-cidr',
  'node-cidr-mask-size-ipv4',
  'node-cidr-mask-size-ipv6',
] as const;

// Overlaps, families and node mask sizes against the CIDRs: only once each of those flags read.
function addressPlanProblems(
  flags: AllocatorFlagValues,
  failed: ReadonlySet<keyof AllocatorFlagValues>,
): string[] {
  if (PLAN_FLAGS.some((name) => failed.has(name))) return [];
  const plan = checkClusterConfig(addressPlanOf(flags), { root: 'flags' });
  return plan.ok ? [] : plan.issues.map((issue) => flagNamesIn(issue.message));
}

function addressPlanOf(flags: AllocatorFlagValues) {
  const nodeMaskSizes = {
    ipv4: flags['node-cidr-mask-size-ipv4'],
    ipv6: flags['node-cidr-mask-size-ipv6'],
  };
  return {
    podCidrs: flags['cluster-cidr'].map(formatCidr),
    serviceCidrs: flags['service-cidr'].map(formatCidr),
    // Only the sizes given: an absent one takes core's default for its family.
    nodeMaskSizes: Object.fromEntries(
      Object.entries(nodeMaskSizes).filter(([, size]) => size !== undefined),
    ),
  };
}

/** ClusterConfig paths, spelled as the flags that set them. */
function flagNamesIn(message: string): string {
  return message
    .replace(/^flags\.podCidrs/, '--cluster-cidr')
    .replace(/^flags\.serviceCidrs/, '--service-cidr')
    .replace(/^flags\.nodeMaskSizes\.ipv([46])/, '--node-cidr-mask-size-ipv$1');
}

function allocatorConfigOf(flags: AllocatorFlagValues): AllocatorConfig {
  return {
    kubeconfig: flags.kubeconfig,
    pools: poolsOf(parseClusterConfig(addressPlanOf(flags), { root: 'flags' })),
    leaseNamespace: flags['lease-namespace'],
    leaseName: flags['lease-name'],
    identity: flags.identity ?? `${hostname()}_${randomUUID()}`,
    healthPort: flags['health-port'],
    healthAddress: flags['health-address'],
    logLevel: flags['log-level'],
  };
}

function poolsOf(config: ClusterConfig): PoolSpec[] {
  return config.podCidrs.map((cidr) => ({
    cidr,
    nodeMask: nodeMaskSize(config, cidr.family) ?? (cidr.family === 4 ? 24 : 64),
  }));
}

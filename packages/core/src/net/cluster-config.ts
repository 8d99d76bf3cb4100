import { formatIp, type IpAddress, type IpFamily, parseIp } from './address.ts';
import { type Cidr, cidrSize, formatCidr, nthAddress, parseCidr } from './cidr.ts';
import {
  type CheckContext,
  checkDnsIps,
  checkFamilies,
  checkOverlap,
  resolveNodeMasks,
} from './cluster-config-checks.ts';
import {
  parseDomain,
  parseFamilyList,
  parseNodeMasks,
  readObject,
} from './cluster-config-fields.ts';
import {
  ClusterConfigError,
  type ConfigIssue,
  type IssueList,
  issueList,
} from './config-issues.ts';

export interface NodeMaskSizes {
  readonly ipv4?: number;
  readonly ipv6?: number;
}

/** The cluster's address plan. Lists hold one entry, or two (one per family) for dual-stack; the first is the primary family. */
export interface ClusterConfig {
  readonly podCidrs: readonly Cidr[];
  readonly serviceCidrs: readonly Cidr[];
  /** Relative form: `cluster.local`. */
  readonly clusterDomain: string;
  /** One per service family; the first is the primary (what goes first in resolv.conf). */
  readonly dnsServiceIps: readonly IpAddress[];
  /** Prefix length of each node's pod CIDR, for each pod family. */
  readonly nodeMaskSizes: NodeMaskSizes;
}

/** The JSON/YAML shape `parseClusterConfig` reads; every field is optional. */
export interface ClusterConfigInput {
  readonly podCidrs?: string | readonly string[];
  readonly serviceCidrs?: string | readonly string[];
  readonly clusterDomain?: string;
  /** Default: the 10th address of each service CIDR (kubeadm's rule, giving 10.96.0.10). */
  readonly dnsServiceIps?: string | readonly string[];
  readonly nodeMaskSizes?: NodeMaskSizes;
}

const fields = ['podCidrs', 'serviceCidrs', 'clusterDomain', 'dnsServiceIps', 'nodeMaskSizes'];

const defaults = {
  podCidrs: ['10.244.0.0/16'],
  serviceCidrs: ['10.96.0.0/12'],
  clusterDomain: 'cluster.local',
  nodeMaskSizes: {},
} as const;

export interface ClusterConfigOptions {
  /** How paths in messages start; default `clusterConfig`. */
  readonly root?: string;
}

export type ClusterConfigResult =
  | { readonly ok: true; readonly config: ClusterConfig }
  | { readonly ok: false; readonly issues: readonly ConfigIssue[] };

/** Validates `input` (missing fields take defaults); throws a ClusterConfigError listing every problem. */
export function parseClusterConfig(
  input: unknown,
  options: ClusterConfigOptions = {},
): ClusterConfig {
  const result = checkClusterConfig(input, options);
  if (!result.ok) throw new ClusterConfigError(result.issues);
  return result.config;
}

/** Like parseClusterConfig, but returns the problems instead of throwing. */
export function checkClusterConfig(
  input: unknown,
  options: ClusterConfigOptions = {},
): ClusterConfigResult {
  const root = options.root ?? 'clusterConfig';
  const issues = issueList();
  const record = readObject(issues, root, input, fields);
  if (record === undefined) return { ok: false, issues: issues.issues };
  const defaulted = new Set(fields.filter((f) => record[f] === undefined));
  const value = (field: keyof typeof defaults) => record[field] ?? defaults[field];
  const pods = parseFamilyList(issues, `${root}.podCidrs`, value('podCidrs'), 'CIDR', (t) =>
    parseCidr(t),
  );
  const services = parseFamilyList(
    issues,
    `${root}.serviceCidrs`,
    value('serviceCidrs'),
    'CIDR',
    (t) => parseCidr(t),
  );
  const clusterDomain = parseDomain(issues, `${root}.clusterDomain`, value('clusterDomain'));
  const givenMasks = parseNodeMasks(issues, `${root}.nodeMaskSizes`, value('nodeMaskSizes'));
  const dnsServiceIps =
    record.dnsServiceIps === undefined
      ? services && defaultDnsIps(issues, `${root}.dnsServiceIps`, services)
      : parseFamilyList(
          issues,
          `${root}.dnsServiceIps`,
          record.dnsServiceIps,
          'IP address',
          parseIp,
        );

  const ctx: CheckContext = { issues, root, defaulted };
  if (pods && services) checkFamilies(ctx, pods, services);
  if (pods && services) checkOverlap(ctx, pods, services);
  if (services && dnsServiceIps && record.dnsServiceIps !== undefined)
    checkDnsIps(ctx, dnsServiceIps, services);
  const nodeMaskSizes = pods && givenMasks && resolveNodeMasks(ctx, givenMasks, pods);

  if (
    issues.issues.length > 0 ||
    !pods ||
    !services ||
    !clusterDomain ||
    !dnsServiceIps ||
    !nodeMaskSizes
  ) {
    return { ok: false, issues: issues.issues };
  }
  const config = {
    podCidrs: pods,
    serviceCidrs: services,
    clusterDomain,
    dnsServiceIps,
    nodeMaskSizes,
  };
  return { ok: true, config: deepFreeze(config) };
}

/** The config back in its input shape (strings), e.g. to write a ConfigMap. */
export function formatClusterConfig(config: ClusterConfig): Required<ClusterConfigInput> {
  return {
    podCidrs: config.podCidrs.map(formatCidr),
    serviceCidrs: config.serviceCidrs.map(formatCidr),
    clusterDomain: config.clusterDomain,
    dnsServiceIps: config.dnsServiceIps.map(formatIp),
    nodeMaskSizes: { ...config.nodeMaskSizes },
  };
}

/** The node pod-CIDR prefix length for a family, or undefined when pods lack that family. */
export function nodeMaskSize(config: ClusterConfig, family: IpFamily): number | undefined {
  return family === 4 ? config.nodeMaskSizes.ipv4 : config.nodeMaskSizes.ipv6;
}

/** The 10th address of a service CIDR: kubeadm's choice for the cluster DNS Service. */
export function defaultDnsServiceIp(serviceCidr: Cidr): IpAddress {
  return nthAddress(serviceCidr, 10);
}

/** The 1st address of a service CIDR: the apiserver gives it to `default/kubernetes`. */
export function kubernetesServiceIp(serviceCidr: Cidr): IpAddress {
  return nthAddress(serviceCidr, 1);
}

function defaultDnsIps(
  issues: IssueList,
  path: string,
  services: readonly Cidr[],
): IpAddress[] | undefined {
  const ips: IpAddress[] = [];
  services.forEach((service, i) => {
    if (cidrSize(service) > 11n) ips.push(defaultDnsServiceIp(service));
    else {
      const problem = `has no default: serviceCidrs[${i}] ${formatCidr(service)} is too small for the 10th address; set it`;
      issues.add(path, undefined, problem);
    }
  });
  return ips.length === services.length ? ips : undefined;
}

function deepFreeze<T extends ClusterConfig>(config: T): ClusterConfig {
  for (const part of Object.values(config)) if (typeof part === 'object') Object.freeze(part);
  return Object.freeze(config);
}

/** Loom's defaults: pods 10.244.0.0/16 (/24 per node), services 10.96.0.0/12, DNS 10.96.0.10, cluster.local. */
export const defaultClusterConfig: ClusterConfig = parseClusterConfig({});

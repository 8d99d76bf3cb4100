import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';
import { parseCidr, readDuration } from '@loom-net/core';
import {
  type DryRunMode,
  hostPortOf,
  type InstallOptions,
  type StatusOptions,
  type UninstallOptions,
} from '@loom-net/install';
import { UsageError } from './usage-error.ts';

export type ClusterVerb = 'install' | 'status' | 'uninstall';
export const CLUSTER_VERBS: readonly ClusterVerb[] = ['install', 'status', 'uninstall'];

/** What a command line sets: everything but the callbacks and the open client a program passes. */
type CommandOptions<T> = Omit<T, 'onProgress' | 'client' | 'env'>;

export type ClusterCommand =
  | { kind: 'install'; options: CommandOptions<InstallOptions> }
  | { kind: 'status'; options: CommandOptions<StatusOptions>; output: 'text' | 'json' }
  | { kind: 'uninstall'; options: CommandOptions<UninstallOptions> };

const CONNECTION = {
  kubeconfig: { type: 'string' },
  context: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const OPTIONS = {
  install: {
    ...CONNECTION,
    components: { type: 'string', multiple: true },
    'cluster-cidr': { type: 'string' },
    'service-cidr': { type: 'string' },
    'api-server': { type: 'string' },
    image: { type: 'string' },
    manifests: { type: 'string' },
    timeout: { type: 'string' },
    'dry-run': { type: 'string' },
  },
  status: { ...CONNECTION, output: { type: 'string', short: 'o' } },
  uninstall: {
    ...CONNECTION,
    image: { type: 'string' },
    timeout: { type: 'string' },
    'dry-run': { type: 'boolean' },
    'keep-node-state': { type: 'boolean' },
  },
} as const;

/** `loom install|status|uninstall [flags]`; undefined for `--help`. */
export function parseClusterArgs(
  verb: ClusterVerb,
  args: readonly string[],
): ClusterCommand | undefined {
  // `--dry-run` alone means the client's dry run; `--dry-run=server` asks the API server.
  const normalized =
    verb === 'install' ? args.map((a) => (a === '--dry-run' ? '--dry-run=client' : a)) : [...args];
  let parsed: {
    values: Record<string, string | boolean | string[] | undefined>;
    positionals: string[];
  };
  try {
    // One options table per verb; read back as a plain record (the union's values differ).
    const options: ParseArgsOptionsConfig = OPTIONS[verb];
    parsed = parseArgs({
      args: normalized,
      options,
      allowPositionals: true,
      strict: true,
    }) as typeof parsed;
  } catch (error) {
    throw new UsageError(`${verb}: ${(error as Error).message}`);
  }
  const { values, positionals } = parsed;
  if (values.help) return undefined;
  if (positionals.length > 0)
    throw new UsageError(`unexpected argument "${positionals[0]}" after ${verb}`);
  const connection = {
    ...(typeof values.kubeconfig === 'string' ? { kubeconfig: values.kubeconfig } : {}),
    ...(typeof values.context === 'string' ? { context: values.context } : {}),
  };
  if (verb === 'status') {
    const output = (values.output as string | undefined) ?? 'text';
    if (output !== 'text' && output !== 'json') {
      throw new UsageError(`invalid --output "${output}": expected text or json`);
    }
    return { kind: 'status', options: connection, output };
  }
  const timeout = typeof values.timeout === 'string' ? { timeoutMs: duration(values.timeout) } : {};
  const image =
    typeof values.image === 'string' ? { image: nonEmpty('--image', values.image) } : {};
  if (verb === 'uninstall') {
    return {
      kind: 'uninstall',
      options: {
        ...connection,
        ...timeout,
        ...image,
        ...(values['dry-run'] ? { dryRun: true } : {}),
        ...(values['keep-node-state'] ? { keepNodeState: true } : {}),
      },
    };
  }
  return {
    kind: 'install',
    options: { ...connection, ...timeout, ...image, ...installOnly(values) },
  };
}

function installOnly(
  values: Record<string, string | boolean | string[] | undefined>,
): CommandOptions<InstallOptions> {
  const components = values.components as string[] | undefined;
  const dryRun = values['dry-run'] as string | undefined;
  if (dryRun !== undefined && dryRun !== 'client' && dryRun !== 'server') {
    throw new UsageError(
      `invalid --dry-run=${dryRun}: expected --dry-run, --dry-run=client or --dry-run=server`,
    );
  }
  return {
    ...(components ? { components: list('--components', components.join(',')) } : {}),
    ...(typeof values['cluster-cidr'] === 'string'
      ? { clusterCidrs: cidrs('--cluster-cidr', values['cluster-cidr']) }
      : {}),
    ...(typeof values['service-cidr'] === 'string'
      ? { serviceCidrs: cidrs('--service-cidr', values['service-cidr']) }
      : {}),
    ...(typeof values['api-server'] === 'string'
      ? { apiServer: apiServer(values['api-server']) }
      : {}),
    ...(typeof values.manifests === 'string'
      ? { manifests: nonEmpty('--manifests', values.manifests) }
      : {}),
    ...(dryRun ? { dryRun: dryRun as DryRunMode } : {}),
  };
}

function list(flag: string, text: string): string[] {
  const items = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (items.length === 0) throw new UsageError(`${flag} needs at least one value`);
  return items;
}

function cidrs(flag: string, text: string): string[] {
  const items = list(flag, text);
  for (const item of items) {
    try {
      parseCidr(item);
    } catch (error) {
      throw new UsageError(`invalid ${flag} "${item}": ${(error as Error).message}`);
    }
  }
  const families = items.map((item) => (item.includes(':') ? 6 : 4));
  if (new Set(families).size !== families.length) {
    throw new UsageError(
      `invalid ${flag} "${text}": at most one CIDR per family (dual-stack: IPv4,IPv6)`,
    );
  }
  return items;
}

function apiServer(text: string) {
  const address = hostPortOf(text, 6443);
  if (
    !address ||
    address.host === '' ||
    !Number.isInteger(address.port) ||
    address.port < 1 ||
    address.port > 65535
  ) {
    throw new UsageError(
      `invalid --api-server "${text}": expected HOST:PORT (192.168.1.10:6443, [fd00::10]:6443)`,
    );
  }
  return address;
}

function duration(text: string): number {
  const read = readDuration(text, 1000);
  if ('why' in read) throw new UsageError(`invalid --timeout: ${read.why}`);
  return read.value;
}

function nonEmpty(flag: string, text: string): string {
  if (text.trim() === '') throw new UsageError(`${flag} needs a value`);
  return text;
}

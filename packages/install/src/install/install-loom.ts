import { WORKLOAD_KINDS } from '../cluster/api-resources.ts';
import {
  type ClusterConnectionOptions,
  checkReachable,
  connectCluster,
} from '../cluster/cluster-connection.ts';
import { describeObject, type ManifestObject } from '../cluster/manifest-object.ts';
import type { ApiServerAddress } from '../discovery/api-server-source.ts';
import { type ClusterFacts, discoverCluster } from '../discovery/cluster-discovery.ts';
import {
  type PreflightCheck,
  podCidrDecision,
  preflightChecks,
  worstVerdict,
} from '../preflight/preflight-checks.ts';
import { takePreflightSnapshot } from '../preflight/preflight-snapshot.ts';
import { type AppliedObject, applyObjects } from './apply-objects.ts';
import { formatApplied, formatFacts, formatPreflight } from './install-format.ts';
import {
  componentsIn,
  type LoomConfigValues,
  orderForApply,
  selectComponents,
  substitute,
} from './install-plan.ts';
import {
  ALLOCATOR_FILE,
  findManifestDir,
  INSTALL_FILE,
  readManifestFile,
} from './manifest-files.ts';
import { type RolloutOutcome, waitForRollouts } from './rollout-wait.ts';

/** The allocator's component name (deploy/, shared contract). */
export const ALLOCATOR_COMPONENT = 'pod-cidr-allocator';

export type DryRunMode = 'client' | 'server';

export interface InstallOptions extends ClusterConnectionOptions {
  /** Only these components (and the base); default every component the cluster needs. */
  readonly components?: readonly string[];
  readonly clusterCidrs?: readonly string[];
  readonly serviceCidrs?: readonly string[];
  readonly apiServer?: ApiServerAddress;
  /** Replaces Loom's image in every pod template. */
  readonly image?: string;
  /** A directory holding install.yaml (and install-pod-cidr-allocator.yaml). */
  readonly manifests?: string;
  /** How long to wait for the rollouts; default 5 minutes. */
  readonly timeoutMs?: number;
  /** `client`: apply nothing, return the objects; `server`: the API server validates only. */
  readonly dryRun?: DryRunMode;
  /** One line per step as it happens: facts, checks, applied objects, rollout counts. */
  readonly onProgress?: (line: string) => void;
}

export interface InstallReport {
  readonly facts: ClusterFacts;
  readonly preflight: readonly PreflightCheck[];
  readonly installAllocator: boolean;
  readonly components: readonly string[];
  /** What was (or, in a dry run, would be) applied, in order, after substitution. */
  readonly objects: readonly ManifestObject[];
  readonly applied: readonly AppliedObject[];
  readonly dryRun?: DryRunMode;
  /** Absent when nothing was applied (dry run, failed preflight). */
  readonly rollout?: RolloutOutcome;
  /** Preflight passed, and the rollouts finished (or a dry run found nothing wrong). */
  readonly ok: boolean;
}

export const DEFAULT_INSTALL_TIMEOUT_MS = 300_000;

/**
 * `loom install`: discover, preflight, render, apply server-side, wait for the rollouts. A
 * failed preflight applies nothing. Safe to run again: an unchanged object stays unchanged.
 */
export async function installLoom(options: InstallOptions = {}): Promise<InstallReport> {
  const progress = options.onProgress ?? (() => {});
  const connection = connectCluster(options);
  try {
    const { client } = connection;
    await checkReachable(client);
    const facts = await discoverCluster(client, {
      ...(options.clusterCidrs ? { clusterCidrs: options.clusterCidrs } : {}),
      ...(options.serviceCidrs ? { serviceCidrs: options.serviceCidrs } : {}),
      ...(options.apiServer ? { apiServer: options.apiServer } : {}),
    });
    for (const line of formatFacts(facts)) progress(line);
    const preflight = preflightChecks(await takePreflightSnapshot(client, facts));
    for (const line of formatPreflight(preflight)) progress(line);
    const decision = podCidrDecision(facts);
    const installAllocator = options.components
      ? options.components.includes(ALLOCATOR_COMPONENT)
      : decision.installAllocator;
    const objects = planObjects(options, facts, installAllocator);
    const components = componentsIn(objects);
    const base = {
      facts,
      preflight,
      installAllocator,
      components,
      objects,
      ...(options.dryRun ? { dryRun: options.dryRun } : {}),
    };
    if (worstVerdict(preflight) === 'fail') {
      progress('preflight failed: nothing applied');
      return { ...base, applied: [], ok: false };
    }
    if (options.dryRun === 'client') return { ...base, applied: [], ok: true };
    progress(
      options.dryRun === 'server'
        ? 'Validating (server dry run):'
        : 'Applying (server-side, field manager loom):',
    );
    const applied = await applyObjects(client, objects, {
      dryRun: options.dryRun === 'server',
      onApplied: (a) => progress(formatApplied(a)),
    });
    if (options.dryRun === 'server') return { ...base, applied, ok: true };
    progress('Waiting for the rollouts:');
    const rollout = await waitForRollouts(
      client,
      objects.filter((o) => WORKLOAD_KINDS.has(o.kind)),
      { timeoutMs: options.timeoutMs ?? DEFAULT_INSTALL_TIMEOUT_MS, onProgress: progress },
    );
    return { ...base, applied, rollout, ok: rollout.done };
  } finally {
    connection.close();
  }
}

/** The objects to apply: the chosen components of the rendered files, filled in and ordered. */
export function planObjects(
  options: InstallOptions,
  facts: ClusterFacts,
  installAllocator: boolean,
): ManifestObject[] {
  const dir = findManifestDir(options.manifests);
  const read = [
    ...readManifestFile(dir, INSTALL_FILE),
    ...(installAllocator ? readManifestFile(dir, ALLOCATOR_FILE) : []),
  ];
  // The allocator's file may repeat base objects (the namespace); the first copy wins.
  const seen = new Set<string>();
  const unique = read.filter((o) => !seen.has(describeObject(o)) && seen.add(describeObject(o)));
  const chosen = selectComponents(unique, options.components);
  return orderForApply(
    substitute(chosen, {
      config: configValues(facts),
      ...(options.image ? { image: options.image } : {}),
    }),
  );
}

export function configValues(facts: ClusterFacts): LoomConfigValues {
  const api = facts.apiServer?.value;
  return {
    'cluster-cidr': facts.clusterCidrs.value.join(','),
    'service-cidr': facts.serviceCidrs.value.join(','),
    'node-cidr-mask-size': String(facts.nodeCidrMaskSize.value),
    ...(api ? { 'api-server-host': api.host, 'api-server-port': String(api.port) } : {}),
  };
}

import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunResult } from '../drivers/cluster-driver.ts';
import { type Host, realHost } from './host.ts';

// No workspace package is imported here: vitest's global setup loads this file before
// workspace packages resolve from source (see e2e/global-setup.ts).
const REPO = fileURLToPath(new URL('../../', import.meta.url));

export const KIND_CLUSTER_NAME = 'loom-e2e';
export const KIND_CONFIG = join(REPO, 'e2e/kind/cluster.yaml');
export const LOOM_IMAGE_ARCHIVE = join(REPO, 'dist/image/loom.oci.tar');
/** What `npm run image` says of the archive: its reference and manifest digest. */
export const LOOM_IMAGE_DESCRIPTION = join(REPO, 'dist/image/loom.json');

/** `{ loomImage: reference@digest }` from the archive's description, when there is one. */
function archivedImage(file: string): { loomImage?: string } {
  if (!existsSync(file)) return {};
  const { reference, digest } = JSON.parse(readFileSync(file, 'utf8')) as {
    reference: string;
    digest: string;
  };
  return { loomImage: `${reference}@${digest}` };
}
/** The admin kubeconfig kubeadm leaves on kind's control-plane node. */
export const NODE_ADMIN_KUBECONFIG = '/etc/kubernetes/admin.conf';

/** A kind cluster brought up for e2e: what a spec file needs to attach to it (plain data). */
export interface KindCluster {
  name: string;
  /** Its admin kubeconfig: kind writes it here, never into the user's ~/.kube/config. */
  kubeconfig: string;
  /** Holds the kubeconfig and, after a failure, the logs `kind export logs` collected. */
  workDir: string;
}

export interface KindSettings {
  name: string;
  /** The kind cluster configuration (e2e/kind/cluster.yaml). */
  config: string;
  /** The Loom image archive `npm run image` writes. */
  imageArchive: string;
  /** The command line that starts `loom` (the CLI from source, as global-setup runs it). */
  loom: readonly string[];
  /** LOOM_E2E_KEEP=1: the cluster is never deleted, not even after a failure. */
  keep: boolean;
  /** LOOM_E2E_KIND_IMAGE: a node image other than cluster.yaml's (`kind create --image`). */
  nodeImage?: string;
  /**
   * Loom's image as the archive holds it, `reference@digest` (dist/image/loom.json): install.yaml
   * pins a placeholder digest until a release, and the nodes have only what kind loaded.
   */
  loomImage?: string;
}

/** A step of bringing the cluster up, as the command line that does it. */
export interface KindStep {
  what: string;
  command: string;
  args: readonly string[];
  timeoutMs: number;
}

/** Bringing up or tearing down the kind cluster failed; the message says what and what next. */
export class KindClusterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KindClusterError';
  }
}

const MINUTE = 60_000;

export function kindSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): KindSettings {
  const keep = env.LOOM_E2E_KEEP ?? '';
  if (!['', '0', '1'].includes(keep)) {
    throw new KindClusterError(
      `LOOM_E2E_KEEP must be 1 (keep the kind cluster) or 0, not "${keep}"`,
    );
  }
  return {
    name: KIND_CLUSTER_NAME,
    config: KIND_CONFIG,
    imageArchive: LOOM_IMAGE_ARCHIVE,
    // What `npx loom` / `npm run loom` start, on the Node running this process: the shebang
    // would take the first `node` on PATH, which outside npm may be older than Node 24.
    loom: [process.execPath, '--conditions=loom-source', join(REPO, 'packages/cli/src/main.ts')],
    keep: keep === '1',
    ...(env.LOOM_E2E_KIND_IMAGE ? { nodeImage: env.LOOM_E2E_KIND_IMAGE } : {}),
  };
}

/** kind's node names for cluster.yaml's three nodes, in `kubectl get nodes` order. */
export function kindNodeNames(name: string): string[] {
  return [`${name}-control-plane`, `${name}-worker`, `${name}-worker2`];
}

/**
 * `docker exec` arguments running kubectl on the control-plane node: the kubectl of the
 * cluster's own version, so the user's machine needs none.
 */
export function nodeKubectlArgs(name: string, args: readonly string[], stdin = false): string[] {
  const cp = kindNodeNames(name)[0]!;
  return [
    'exec',
    ...(stdin ? ['-i'] : []),
    cp,
    'kubectl',
    `--kubeconfig=${NODE_ADMIN_KUBECONFIG}`,
    ...args,
  ];
}

/** The steps from nothing to a cluster running Loom, in order. */
export function createSteps(settings: KindSettings, cluster: KindCluster): KindStep[] {
  const [loom, ...loomArgs] = settings.loom;
  const name = ['--name', settings.name];
  return [
    {
      what: 'create the kind cluster',
      command: 'kind',
      args: [
        'create',
        'cluster',
        ...name,
        '--config',
        settings.config,
        '--kubeconfig',
        cluster.kubeconfig,
        ...(settings.nodeImage ? ['--image', settings.nodeImage] : []),
        // Kept for debugging: without --retain kind removes the nodes of a failed create.
        ...(settings.keep ? ['--retain'] : []),
      ],
      timeoutMs: 10 * MINUTE,
    },
    {
      what: 'load the Loom image into the nodes',
      command: 'kind',
      args: ['load', 'image-archive', settings.imageArchive, ...name],
      timeoutMs: 10 * MINUTE,
    },
    {
      what: 'install Loom',
      command: loom!,
      args: [
        ...loomArgs,
        'install',
        '--kubeconfig',
        cluster.kubeconfig,
        ...(settings.loomImage ? ['--image', settings.loomImage] : []),
      ],
      timeoutMs: 10 * MINUTE,
    },
    {
      // Nodes turn Ready only once Loom's CNI config is on them.
      what: 'wait for every node to be Ready',
      command: 'docker',
      args: nodeKubectlArgs(settings.name, [
        'wait',
        '--for=condition=Ready',
        'nodes',
        '--all',
        '--timeout=180s',
      ]),
      timeoutMs: 4 * MINUTE,
    },
  ];
}

/** kind and a reachable Docker engine, Loom's image archive, and no cluster of the same name. */
export async function preflight(host: Host, settings: KindSettings): Promise<void> {
  if (!host.onPath('kind')) {
    throw new KindClusterError(
      'kind is not installed (no `kind` on PATH): install kind v0.33.0 or newer, see docs/kind.md',
    );
  }
  if (!host.onPath('docker')) {
    throw new KindClusterError(
      'docker is not installed (no `docker` on PATH): kind runs its nodes as Docker containers, see docs/kind.md',
    );
  }
  const engine = await host.run('docker', ['info', '--format', '{{.ServerVersion}}'], {
    timeoutMs: MINUTE,
  });
  if (engine.exitCode !== 0) {
    throw new KindClusterError(
      `docker cannot reach a Docker engine (docker info: ${lastLines(engine.stderr)}): start one, or point DOCKER_HOST at it`,
    );
  }
  if (!host.exists(settings.imageArchive)) {
    throw new KindClusterError(
      `no Loom image archive at ${settings.imageArchive}: build it with \`npm run image\` (\`npm run e2e:kind\` does)`,
    );
  }
  const clusters = await host.run('kind', ['get', 'clusters'], { timeoutMs: MINUTE });
  if (clusters.exitCode !== 0) {
    throw new KindClusterError(`kind get clusters failed: ${lastLines(clusters.stderr)}`);
  }
  if (clusters.stdout.split('\n').includes(settings.name)) {
    throw new KindClusterError(
      `a kind cluster named ${settings.name} already exists (kept by LOOM_E2E_KEEP=1, or another run): ` +
        `delete it with \`kind delete cluster --name ${settings.name}\``,
    );
  }
}

/**
 * Brings up the e2e cluster: preflight, then the steps of `createSteps` one by one. When one
 * fails, the logs are exported into the work dir and the cluster is deleted (kept with
 * LOOM_E2E_KEEP=1), and the error names the step, its output, the logs and the cluster's fate.
 */
export async function startKindCluster(
  host: Host,
  settings: KindSettings,
  options: { workDir: string; onProgress?: (line: string) => void },
): Promise<KindCluster> {
  await preflight(host, settings);
  const cluster = {
    name: settings.name,
    kubeconfig: join(options.workDir, 'kubeconfig'),
    workDir: options.workDir,
  };
  for (const step of createSteps(settings, cluster)) {
    const started = Date.now();
    const result = await host.run(step.command, step.args, { timeoutMs: step.timeoutMs });
    if (result.exitCode !== 0) await failAndCleanUp(host, settings, cluster, step, result);
    options.onProgress?.(
      `kind e2e: ${step.what} (${((Date.now() - started) / 1000).toFixed(1)} s)`,
    );
  }
  return cluster;
}

async function failAndCleanUp(
  host: Host,
  settings: KindSettings,
  cluster: KindCluster,
  step: KindStep,
  result: RunResult,
): Promise<never> {
  const logs = await exportLogs(host, cluster);
  const fate = await deleteUnlessKept(host, settings, cluster);
  throw new KindClusterError(
    [
      `kind e2e: cannot ${step.what}: \`${[step.command, ...step.args].join(' ')}\` exited ${result.exitCode}`,
      lastLines(`${result.stdout}\n${result.stderr}`, 20),
      logs,
      fate,
    ].join('\n'),
  );
}

/** `kind export logs` into the work dir; says where they are or why there are none. */
async function exportLogs(host: Host, cluster: KindCluster): Promise<string> {
  const dir = join(cluster.workDir, 'logs');
  const exported = await host.run('kind', ['export', 'logs', dir, '--name', cluster.name], {
    timeoutMs: 5 * MINUTE,
  });
  return exported.exitCode === 0
    ? `logs: ${dir}`
    : `logs: none exported (${lastLines(exported.stderr)})`;
}

async function deleteUnlessKept(
  host: Host,
  settings: KindSettings,
  cluster: KindCluster,
): Promise<string> {
  if (settings.keep) {
    return `cluster ${settings.name} kept (LOOM_E2E_KEEP=1): delete it with \`kind delete cluster --name ${settings.name}\``;
  }
  // --kubeconfig: kind would otherwise edit $KUBECONFIG or ~/.kube/config, which it never wrote.
  const args = ['delete', 'cluster', '--name', settings.name, '--kubeconfig', cluster.kubeconfig];
  const deleted = await host.run('kind', args, { timeoutMs: 5 * MINUTE });
  return deleted.exitCode === 0
    ? `cluster ${settings.name} deleted`
    : `cluster ${settings.name} could not be deleted (${lastLines(deleted.stderr)})`;
}

/**
 * Done with the cluster: logs exported when the run failed, the cluster deleted unless
 * LOOM_E2E_KEEP=1, the work dir removed unless it holds logs or a kept cluster's kubeconfig.
 * Returns what to tell the user.
 */
export async function stopKindCluster(
  host: Host,
  settings: KindSettings,
  cluster: KindCluster,
  options: { failed: boolean },
): Promise<string[]> {
  const notes = options.failed ? [await exportLogs(host, cluster)] : [];
  const fate = await deleteUnlessKept(host, settings, cluster);
  notes.push(settings.keep ? `${fate}; kubeconfig: ${cluster.kubeconfig}` : fate);
  if (!options.failed && !settings.keep) rmSync(cluster.workDir, { recursive: true, force: true });
  return notes;
}

/** The e2e cluster on this machine: real commands, settings from the environment. */
export async function startE2eKindCluster(
  onProgress?: (line: string) => void,
): Promise<KindCluster> {
  const settings = { ...kindSettingsFromEnv(), ...archivedImage(LOOM_IMAGE_DESCRIPTION) };
  const workDir = mkdtempSync(join(tmpdir(), 'loom-e2e-kind-'));
  try {
    return await startKindCluster(realHost(), settings, {
      workDir,
      ...(onProgress ? { onProgress } : {}),
    });
  } catch (error) {
    // The dir stays when it holds logs or a kept cluster's kubeconfig.
    const logs = error instanceof KindClusterError && error.message.includes(`logs: ${workDir}`);
    if (!logs && !settings.keep) rmSync(workDir, { recursive: true, force: true });
    throw error;
  }
}

export function stopE2eKindCluster(cluster: KindCluster, failed: boolean): Promise<string[]> {
  return stopKindCluster(realHost(), kindSettingsFromEnv(), cluster, { failed });
}

function lastLines(text: string, count = 5): string {
  return text.trim().split('\n').slice(-count).join('\n');
}

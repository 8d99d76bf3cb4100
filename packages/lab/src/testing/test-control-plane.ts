import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
// The subpath, not @loom-net/core/testing: this module is part of the lab's API, and the
// testing entry point loads vitest.
import { skipOrFailInCi } from '@loom-net/core/testing/prerequisites';
import { type DownReport, labDown } from '../commands/lab-down.ts';
import { labUp, type UpReport } from '../commands/lab-up.ts';
import { findOnPath, REQUIRED_TOOLS } from '../commands/preflight.ts';
import { stopComponent } from '../components/component-runner.ts';
import { COMPONENTS, type ComponentName } from '../components/component-table.ts';
import {
  type LabCni,
  type LabConfig,
  type PodCidrMode,
  resolveLabConfig,
} from '../config/lab-config.ts';
import { compactEtcd } from '../etcd/etcd-maintenance.ts';

export interface TestControlPlane {
  config: LabConfig;
  up: UpReport;
  /** The root-side admin kubeconfig (through the bridge on 127.0.0.1). */
  kubeconfigPath: string;
  kubeConfig(): KubeConfig;
  /** Stops a component (SIGTERM, as a real restart would) and starts it again. */
  restart(component: ComponentName): Promise<void>;
  /** Compacts etcd at its current revision: older resourceVersions now get 410 Gone. */
  compactEtcd(): Promise<{ revision: number }>;
  /** Takes the whole lab down; safe to call twice. */
  stop(): Promise<DownReport>;
}

/**
 * A lab of its own for a test file: a random `loom-lt…-` prefix, a temporary state dir and a
 * free port, so it never meets a user's lab or another test's. Control plane only unless
 * `nodes` asks for some.
 */
export async function startTestControlPlane(
  options: {
    onProgress?: (line: string) => void;
    apiServerArgs?: readonly string[];
    nodes?: number;
    remoteNodes?: number;
    cni?: LabCni;
    podCidrs?: PodCidrMode;
  } = {},
): Promise<TestControlPlane> {
  const lab = {
    prefix: `loom-lt${randomBytes(3).toString('hex')}-`,
    stateDir: mkdtempSync(join(tmpdir(), 'loom-lab-')),
    hostApiPort: 0,
    apiServerArgs: options.apiServerArgs ?? [],
    nodes: options.nodes ?? 0,
    ...(options.remoteNodes !== undefined ? { remoteNodes: options.remoteNodes } : {}),
    ...(options.cni ? { cni: options.cni } : {}),
    ...(options.podCidrs ? { podCidrs: options.podCidrs } : {}),
  };
  const config = resolveLabConfig(lab);
  let up: UpReport;
  try {
    up = await labUp({ ...lab, ...(options.onProgress ? { onProgress: options.onProgress } : {}) });
  } catch (error) {
    await labDown(lab).catch(() => {});
    throw error;
  }
  return {
    config,
    up,
    kubeconfigPath: config.paths.hostKubeconfig,
    kubeConfig: () => labKubeConfig(config.stateDir),
    async restart(name) {
      const component = COMPONENTS.find((candidate) => candidate.name === name);
      if (!component) throw new Error(`unknown lab component ${name}`);
      await stopComponent(config, component);
      await labUp(lab);
    },
    compactEtcd: () => compactEtcd(config),
    stop: () => labDown(lab),
  };
}

/** The root-side admin kubeconfig of the lab in `stateDir`, loaded. */
export function labKubeConfig(stateDir?: string): KubeConfig {
  const config = resolveLabConfig(stateDir === undefined ? {} : { stateDir });
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(config.paths.hostKubeconfig);
  return kubeConfig;
}

/** Why a lab test cannot run here (not root, a tool missing), or undefined when it can. */
export function labSkipReason(): string | undefined {
  return skipOrFailInCi(labMissing());
}

function labMissing(): string | undefined {
  if (process.getuid?.() !== 0) return `the lab needs root (uid is ${process.getuid?.()})`;
  const missing = Object.keys(REQUIRED_TOOLS).filter((tool) => findOnPath(tool) === undefined);
  return missing.length > 0 ? `the lab needs ${missing.join(', ')} on PATH` : undefined;
}

import { existsSync, rmdirSync, rmSync } from 'node:fs';
import { createCommandRunner, deleteNetns, netnsExists } from '@loom-net/core';
import { stopComponent } from '../components/component-runner.ts';
import { COMPONENTS, type ComponentName } from '../components/component-table.ts';
import { type LabConfig, type LabOptions, resolveLabConfig } from '../config/lab-config.ts';
import { LabError } from '../errors.ts';
import { type NodeDownReport, nodesOnDisk, removeNode } from '../nodes/node-down.ts';
import { removeHostDirs, removeMountNamespaceDir } from '../nodes/node-mount-namespace.ts';
import { readLabState } from '../state/lab-state.ts';
import { requireRoot } from './preflight.ts';

export interface DownOptions extends LabOptions {
  env?: NodeJS.ProcessEnv;
}

export interface DownReport {
  config: LabConfig;
  /** False when there was no lab in the state dir (a second `down` is a no-op). */
  found: boolean;
  stopped: {
    name: ComponentName;
    pid: number;
    outcome: 'stopped' | 'killed';
    durationMs: number;
  }[];
  nodes: NodeDownReport[];
  namespacesRemoved: string[];
  /** Mount-point directories `up` had created on the host and that nothing uses any more. */
  hostDirsRemoved: string[];
  durationMs: number;
}

/**
 * Takes the nodes apart (route agents, kubelets, runtimes, pods, mount and network namespaces),
 * stops every control plane process (by PID file, newest component first), deletes its
 * namespaces (which takes the veths, the bridges, the router and the netns mounts with them)
 * and removes every file it wrote.
 * Safe to repeat.
 */
export async function labDown(options: DownOptions = {}): Promise<DownReport> {
  const started = Date.now();
  const config = resolveLabConfig(options, options.env);
  requireRoot('take the lab down');
  const state = readLabState(config);
  const found = state !== undefined || existsSync(config.paths.runDir);
  const nodes = await Promise.all(
    nodesOnDisk(config, state?.nodes).map((node) => removeNode(config, node, state?.binDir)),
  );
  const stopped: DownReport['stopped'] = [];
  for (const component of [...COMPONENTS].reverse()) {
    const result = await stopComponent(config, component);
    if (result.outcome !== 'not-running' && result.pid !== undefined) {
      stopped.push({
        name: component.name,
        pid: result.pid,
        outcome: result.outcome,
        durationMs: result.durationMs,
      });
    }
  }
  const namespacesRemoved: string[] = [];
  const runner = createCommandRunner();
  // Only namespaces this lab recorded as its own: a same-named one of someone else stays.
  for (const name of [...(state?.namespaces ?? [])].reverse()) {
    if (!netnsExists(name)) continue;
    try {
      await deleteNetns(runner, name);
    } catch (error) {
      throw new LabError(
        'LOOM_LAB_NETWORK_FAILED',
        `cannot delete netns ${name}: ${(error as Error).message}`,
        { cause: error },
      );
    }
    namespacesRemoved.push(name);
  }
  await removeMountNamespaceDir(config);
  const hostDirsRemoved = await removeHostDirs(state?.hostDirs ?? []);
  removeStateFiles(config);
  return {
    config,
    found,
    nodes,
    stopped,
    namespacesRemoved,
    hostDirsRemoved,
    durationMs: Date.now() - started,
  };
}

function removeStateFiles(config: LabConfig): void {
  const { paths } = config;
  for (const path of [
    paths.pkiDir,
    paths.etcdDataDir,
    paths.logDir,
    paths.runDir,
    paths.adminKubeconfig,
    paths.hostKubeconfig,
    paths.controllerManagerKubeconfig,
    paths.schedulerKubeconfig,
    paths.nodesDir,
    paths.mountNamespaceDir,
    // Last: while it exists, a later `down` can still find the namespaces to remove.
    paths.stateFile,
  ]) {
    rmSync(path, { recursive: true, force: true });
  }
  // The directory itself only when nothing else is in it (it may be the user's own).
  try {
    rmdirSync(config.stateDir);
  } catch {}
}

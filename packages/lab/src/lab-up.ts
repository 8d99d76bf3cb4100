import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { createCommandRunner } from '@loom-net/core';
import { readBridgeReady } from './bridge/bridge-ready.ts';
import { ensureBinaries, type ResolvedBinaries } from './build/binaries.ts';
import {
  componentStatus,
  runningPid,
  startComponent,
  stopComponent,
  waitHealthy,
} from './components/component-runner.ts';
import {
  COMPONENTS,
  type ComponentDefinition,
  type ComponentName,
  componentFiles,
  type LabContext,
} from './components/component-table.ts';
import { waitDefaultServiceAccount } from './default-service-account.ts';
import { LabError } from './errors.ts';
import { withLabApiClient } from './lab-api-client.ts';
import { type LabConfig, type LabOptions, resolveLabConfig } from './lab-config.ts';
import { writeControlPlaneKubeconfigs, writeHostKubeconfig } from './lab-kubeconfigs.ts';
import { ensureUnderlay } from './network/underlay.ts';
import { nodesOnDisk, removeNode } from './nodes/node-down.ts';
import { ensureHostMountPoints } from './nodes/node-mount-namespace.ts';
import { deleteNodeObject, readNodeConditions } from './nodes/node-objects.ts';
import { type NodeSettings, planNodes, resolveNodeSettings } from './nodes/node-plan.ts';
import { nodeProcessPid } from './nodes/node-processes.ts';
import { ensureNodes, type NodeReport, nodesLookWhole } from './nodes/node-up.ts';
import { ensurePki } from './pki/pki.ts';
import { requireRoot, requireTools } from './preflight.ts';
import {
  assertNamespacesOurs,
  type LabState,
  labNamespaces,
  readLabState,
  writeLabState,
} from './state/lab-state.ts';

export interface UpOptions extends LabOptions {
  env?: NodeJS.ProcessEnv;
  /** Human-readable progress (build steps, each component as it gets healthy). */
  onProgress?: (line: string) => void;
}

export interface ComponentReport {
  name: ComponentName;
  /** `kept`: it was already running and healthy; `restarted`: it had died and was started again. */
  action: 'started' | 'restarted' | 'kept';
  pid: number;
  durationMs: number;
}

export interface UpReport {
  config: LabConfig;
  alreadyUp: boolean;
  binaries: ResolvedBinaries;
  components: ComponentReport[];
  nodeSettings: NodeSettings;
  nodes: NodeReport[];
  /** The root-side API endpoint, `https://127.0.0.1:<port>`. */
  hostApiServer: string;
  durationMs: number;
}

/**
 * Brings the control plane up, or repairs it: whatever is missing (binaries, certificates,
 * namespaces, dead processes) is made again; whatever runs and is healthy is kept.
 */
export async function labUp(options: UpOptions = {}): Promise<UpReport> {
  const started = Date.now();
  const config = resolveLabConfig(options, options.env);
  const progress = options.onProgress ?? (() => {});
  requireRoot('bring the lab up');
  requireTools('bring the lab up');
  const state = readLabState(config);
  const settings = resolveNodeSettings(options, state?.nodes);
  const binaries = await ensureBinaries({ ...options, onProgress: progress });
  const context: LabContext = { config, binDir: binaries.binDir };
  assertNamespacesOurs(config, state, settings.count);
  const base = { config, binaries, settings, started };
  if (state && sameSettings(state.nodes, settings) && (await allWhole(config, settings))) {
    return report(base, true, keptReports(config), await keptNodes(config, settings));
  }
  // Before anything starts: a taken port should not cost a control-plane start.
  if (runningPid(config, 'host-bridge') === undefined) await assertPortFree(config);
  mkdirSync(config.paths.logDir, { recursive: true, mode: 0o700 });
  mkdirSync(config.paths.runDir, { recursive: true, mode: 0o700 });
  const onDisk = nodesOnDisk(config, state?.nodes?.count ?? 0);
  const hostDirs = settings.count > 0 ? ensureHostMountPoints() : [];
  const record = (count: number): LabState => ({
    version: 1,
    prefix: config.prefix,
    namespaces: labNamespaces(config, count),
    binDir: binaries.binDir,
    createdAt: state?.createdAt ?? new Date().toISOString(),
    nodes: settings,
    hostDirs: [...new Set([...(state?.hostDirs ?? []), ...hostDirs])],
  });
  // Recorded before any namespace is made, so a crash half-way leaves nothing `down` misses.
  writeLabState(config, record(Math.max(settings.count, onDisk.length)));
  const pkiMade = await ensurePki(config.paths.pkiDir);
  writeControlPlaneKubeconfigs(config);
  const { rebuilt } = await ensureUnderlay(createCommandRunner(), config);
  // Processes in a namespace that was replaced, or holding certificates that were, are
  // cut off from the new lab: start them again.
  if (rebuilt || pkiMade) await stopAll(config, (c) => c.namespace === 'control-plane' || pkiMade);
  const components: ComponentReport[] = [];
  for (const component of COMPONENTS) {
    components.push(await ensureComponent(context, component, progress));
  }
  const nodes = await withLabApiClient(config, async (client) => {
    for (const extra of onDisk.filter((node) => node.index > settings.count)) {
      progress(`removing ${extra.name}…`);
      await removeNode(config, extra, binaries.binDir);
      await deleteNodeObject(client, extra.name);
    }
    writeLabState(config, record(settings.count));
    const reports = await ensureNodes({
      config,
      binDir: binaries.binDir,
      client,
      settings,
      pkiRenewed: pkiMade,
      progress,
    });
    await waitDefaultServiceAccount(client);
    return reports;
  });
  return report(base, false, components, nodes);
}

function sameSettings(recorded: NodeSettings | undefined, wanted: NodeSettings): boolean {
  return (
    recorded !== undefined &&
    recorded.count === wanted.count &&
    recorded.cni === wanted.cni &&
    recorded.podCidrs === wanted.podCidrs
  );
}

async function allWhole(config: LabConfig, settings: NodeSettings): Promise<boolean> {
  return nodesLookWhole(config, settings) && (await allHealthy(config));
}

async function keptNodes(config: LabConfig, settings: NodeSettings): Promise<NodeReport[]> {
  const conditions = await withLabApiClient(config, (client) => readNodeConditions(client)).catch(
    () => undefined,
  );
  return planNodes(config, settings.count).map((node) => ({
    name: node.name,
    ip: node.ip,
    action: 'kept' as const,
    pids: {
      'lab-runtime': nodeProcessPid(config, node, 'lab-runtime') ?? 0,
      kubelet: nodeProcessPid(config, node, 'kubelet') ?? 0,
    },
    ready: conditions?.get(node.name)?.ready ?? false,
    durationMs: 0,
  }));
}

async function ensureComponent(
  context: LabContext,
  component: ComponentDefinition,
  progress: (line: string) => void,
): Promise<ComponentReport> {
  const { config } = context;
  const pid = runningPid(config, component.name);
  if (pid !== undefined) {
    const waited = Date.now();
    if (await waitHealthy(config, component, component.readyTimeoutMs)) {
      return { name: component.name, action: 'kept', pid, durationMs: Date.now() - waited };
    }
    await stopComponent(config, component);
  }
  // A PID file left behind means the component ran and died (a clean stop removes it).
  const hadRun = pid !== undefined || existsSync(componentFiles(config, component.name).pidFile);
  for (const file of component.staleFiles?.(config) ?? []) rmSync(file, { force: true });
  progress(`starting ${component.name}…`);
  const result = await startComponent(context, component);
  if (component.name === 'host-bridge') writeHostKubeconfigFromBridge(config);
  return {
    name: component.name,
    action: hadRun ? 'restarted' : 'started',
    ...result,
  };
}

function writeHostKubeconfigFromBridge(config: LabConfig): void {
  const ready = readBridgeReady(
    config.paths.hostBridgeReady,
    componentFiles(config, 'host-bridge').pidFile,
  );
  if (ready) writeHostKubeconfig(config, ready.port);
}

async function assertPortFree(config: LabConfig): Promise<void> {
  if (config.hostApiPort === 0) return;
  const server = createServer();
  const error = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
    server.once('error', resolve);
    server.listen(config.hostApiPort, '127.0.0.1', () => server.close(() => resolve(undefined)));
  });
  if (error) {
    throw new LabError(
      'LOOM_LAB_PORT_TAKEN',
      `cannot listen on 127.0.0.1:${config.hostApiPort} for the lab's API bridge: ${error.code === 'EADDRINUSE' ? 'another program uses that port' : error.message}; choose another with --api-port or LOOM_LAB_API_PORT`,
      { cause: error },
    );
  }
}

async function allHealthy(config: LabConfig): Promise<boolean> {
  for (const component of COMPONENTS) {
    const status = await componentStatus(config, component, { probe: true });
    if (!status.health?.ok) return false;
  }
  return true;
}

function keptReports(config: LabConfig): ComponentReport[] {
  return COMPONENTS.map((component) => ({
    name: component.name,
    action: 'kept' as const,
    pid: runningPid(config, component.name) ?? 0,
    durationMs: 0,
  }));
}

async function stopAll(
  config: LabConfig,
  which: (component: ComponentDefinition) => boolean = () => true,
): Promise<void> {
  for (const component of [...COMPONENTS].reverse()) {
    if (which(component)) await stopComponent(config, component);
  }
}

function report(
  base: { config: LabConfig; binaries: ResolvedBinaries; settings: NodeSettings; started: number },
  alreadyUp: boolean,
  components: ComponentReport[],
  nodes: NodeReport[],
): UpReport {
  const { config } = base;
  const ready = readBridgeReady(
    config.paths.hostBridgeReady,
    componentFiles(config, 'host-bridge').pidFile,
  );
  return {
    config,
    alreadyUp,
    binaries: base.binaries,
    components,
    nodeSettings: base.settings,
    nodes,
    hostApiServer: `https://127.0.0.1:${ready?.port ?? config.hostApiPort}`,
    durationMs: Date.now() - base.started,
  };
}

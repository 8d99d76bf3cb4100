import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { createCommandRunner, type KubeClient, netnsExists } from '@loom-net/core';
import { readBridgeReady } from '../bridge/bridge-ready.ts';
import { ensureBinaries, type ResolvedBinaries } from '../build/binaries.ts';
import { type EnsuredImage, ensureLabImage } from '../build/lab-image.ts';
import { waitDefaultServiceAccount } from '../cluster/default-service-account.ts';
import { withLabApiClient } from '../cluster/lab-api-client.ts';
import { installLabLoom, type LabInstallReport } from '../cluster/lab-install.ts';
import { writeControlPlaneKubeconfigs, writeHostKubeconfig } from '../cluster/lab-kubeconfigs.ts';
import {
  componentStatus,
  runningPid,
  startComponent,
  stopComponent,
  waitHealthy,
} from '../components/component-runner.ts';
import {
  COMPONENTS,
  type ComponentDefinition,
  type ComponentName,
  componentFiles,
  type LabContext,
} from '../components/component-table.ts';
import { type LabConfig, type LabOptions, resolveLabConfig } from '../config/lab-config.ts';
import { type NodeSettings, resolveNodeSettings } from '../config/node-settings.ts';
import { LabError } from '../errors.ts';
import { ensureRouter } from '../network/router.ts';
import { ensureUnderlay } from '../network/underlay.ts';
import { nodesOnDisk, removeNode } from '../nodes/node-down.ts';
import { ensureHostMountPoints } from '../nodes/node-mount-namespace.ts';
import { deleteNodeObject, readNodeConditions, waitForNodes } from '../nodes/node-objects.ts';
import { planNodes } from '../nodes/node-plan.ts';
import { ensureNodes, type NodeReport, nodePids, nodesLookWhole } from '../nodes/node-up.ts';
import { ensurePki } from '../pki/pki.ts';
import {
  assertNamespacesOurs,
  type LabState,
  labNamespaces,
  readLabState,
  writeLabState,
} from '../state/lab-state.ts';
import { requireRoot, requireTools } from './preflight.ts';

/** After the install: the kubelets notice a new CNI config within their 5 s runtime checks. */
const INSTALLED_READY_TIMEOUT_MS = 60_000;

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
  /** Loom's image archive the nodes' runtimes serve (with `--cni loom` or `none`). */
  image?: EnsuredImage;
  /** What `loom install` did, when this up installed Loom (`--cni loom`). */
  install?: LabInstallReport;
  components: ComponentReport[];
  nodeSettings: NodeSettings;
  nodes: NodeReport[];
  /** The root-side API endpoint, `https://127.0.0.1:<port>`. */
  hostApiServer: string;
  durationMs: number;
}

/** Everything an `up` decided before it touches the machine. */
interface UpPlan {
  config: LabConfig;
  state: LabState | undefined;
  settings: NodeSettings;
  binaries: ResolvedBinaries;
  image: EnsuredImage | undefined;
  install?: LabInstallReport;
  context: LabContext;
  progress: (line: string) => void;
  started: number;
}

/**
 * Brings the lab up, or repairs it: whatever is missing (binaries, certificates, namespaces,
 * dead processes, nodes) is made again; whatever runs and is healthy is kept; nodes beyond
 * the count asked for are taken away.
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
  const image =
    settings.cni !== 'bridge' && settings.count > 0
      ? await ensureLabImage(config, progress)
      : undefined;
  const context: LabContext = { config, binDir: binaries.binDir, settings };
  assertNamespacesOurs(config, state, settings);
  const plan = { config, state, settings, binaries, image, context, progress, started };
  // Loom runs the image the sources build: a new one (a code change) is installed again.
  const loomCurrent = settings.cni !== 'loom' || state?.installedImage === image?.pinned;
  if (
    state &&
    loomCurrent &&
    sameSettings(state.nodes, settings) &&
    (await allWhole(config, settings))
  ) {
    return report(plan, true, keptReports(config), await keptNodes(config, settings));
  }
  // Before anything starts: a taken port should not cost a control-plane start.
  if (runningPid(config, 'host-bridge') === undefined) await assertPortFree(config);
  mkdirSync(config.paths.logDir, { recursive: true, mode: 0o700 });
  mkdirSync(config.paths.runDir, { recursive: true, mode: 0o700 });
  const hostDirs = settings.count > 0 ? ensureHostMountPoints() : [];
  const record = (namespaces: string[]): LabState => ({
    version: 1,
    prefix: config.prefix,
    namespaces,
    binDir: binaries.binDir,
    createdAt: state?.createdAt ?? new Date().toISOString(),
    nodes: settings,
    hostDirs: [...new Set([...(state?.hostDirs ?? []), ...hostDirs])],
    ...(state?.installedImage ? { installedImage: state.installedImage } : {}),
  });
  // Recorded before any namespace is made, so a crash half-way leaves nothing `down` misses.
  const wanted = labNamespaces(config, settings);
  writeLabState(config, record([...new Set([...(state?.namespaces ?? []), ...wanted])]));
  const { components, pkiMade } = await ensureControlPlane(plan);
  const { nodes, install } = await withLabApiClient(config, async (client) => {
    await removeExtraNodes(plan, client);
    await ensureRouter(createCommandRunner(), config, settings.remote > 0);
    writeLabState(config, record(wanted));
    // Loom goes on as on any cluster: applied at once, its pods scheduled as the kubelets
    // register, the nodes Ready once its DaemonSet has installed the CNI.
    const installing =
      settings.cni === 'loom' && image && settings.count > 0
        ? installLabLoom({ client, settings, image: image.description, progress })
        : undefined;
    const [reports, installed] = await Promise.all([
      ensureNodes({
        config,
        binDir: binaries.binDir,
        client,
        settings,
        pkiRenewed: pkiMade,
        ...(image ? { image: image.nodeImage } : {}),
        progress,
      }),
      installing,
    ]);
    // A node that switched CNI said Ready (the old CNI's) before Loom's pod wrote its conflist,
    // and may have turned NotReady since: done once each says Ready again.
    if (installed) {
      await waitForNodes(
        client,
        planNodes(config, settings).map((node) => node.name),
        (condition) => condition.ready,
        { timeoutMs: INSTALLED_READY_TIMEOUT_MS, describe: 'Ready with Loom installed' },
      );
    }
    if (installed && image)
      writeLabState(config, { ...record(wanted), installedImage: image.pinned });
    await waitDefaultServiceAccount(client);
    return { nodes: reports, install: installed };
  });
  return report({ ...plan, ...(install ? { install } : {}) }, false, components, nodes);
}

/** Certificates, kubeconfigs, the underlay and every control-plane component, healthy. */
async function ensureControlPlane(
  plan: UpPlan,
): Promise<{ components: ComponentReport[]; pkiMade: boolean }> {
  const { config, state, settings } = plan;
  const pkiMade = await ensurePki(config.paths.pkiDir);
  writeControlPlaneKubeconfigs(config);
  const { rebuilt } = await ensureUnderlay(createCommandRunner(), config);
  // Processes in a namespace that was replaced, or holding certificates that were, are
  // cut off from the new lab: start them again.
  if (rebuilt || pkiMade) await stopAll(config, (c) => c.namespace === 'control-plane' || pkiMade);
  // kube-controller-manager's flags follow the podCIDR mode (--allocate-node-cidrs).
  if (state?.nodes && state.nodes.podCidrs !== settings.podCidrs) {
    await stopComponent(config, componentNamed('kube-controller-manager'));
  }
  const components: ComponentReport[] = [];
  for (const component of COMPONENTS) {
    components.push(await ensureComponent(plan.context, component, plan.progress));
  }
  return { components, pkiMade };
}

/** Nodes beyond the count asked for: taken apart, their Node objects and trees deleted. */
async function removeExtraNodes(plan: UpPlan, client: KubeClient): Promise<void> {
  const { config, settings } = plan;
  for (const extra of nodesOnDisk(config, plan.state?.nodes)) {
    if (extra.index <= settings.count) continue;
    plan.progress(`removing ${extra.name}…`);
    await removeNode(config, extra, plan.binaries.binDir);
    await deleteNodeObject(client, extra.name);
    // Its tree was mounted only in its own (now released) mount namespace.
    rmSync(extra.dir, { recursive: true, force: true });
  }
}

function componentNamed(name: ComponentName): ComponentDefinition {
  return COMPONENTS.find((component) => component.name === name)!;
}

function sameSettings(recorded: NodeSettings | undefined, wanted: NodeSettings): boolean {
  return (
    recorded !== undefined &&
    recorded.count === wanted.count &&
    recorded.remote === wanted.remote &&
    recorded.cni === wanted.cni &&
    recorded.podCidrs === wanted.podCidrs
  );
}

async function allWhole(config: LabConfig, settings: NodeSettings): Promise<boolean> {
  const routerWhole =
    settings.remote === 0 ||
    (netnsExists(config.netns.router) && netnsExists(config.netns.remoteSwitch));
  return routerWhole && nodesLookWhole(config, settings) && (await allHealthy(config));
}

async function keptNodes(config: LabConfig, settings: NodeSettings): Promise<NodeReport[]> {
  const conditions = await withLabApiClient(config, (client) => readNodeConditions(client)).catch(
    () => undefined,
  );
  return planNodes(config, settings).map((node) => ({
    name: node.name,
    ip: node.ip,
    action: 'kept' as const,
    pids: nodePids(config, node),
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
  base: UpPlan,
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
    ...(base.image ? { image: base.image } : {}),
    ...(base.install ? { install: base.install } : {}),
    components,
    nodeSettings: base.settings,
    nodes,
    hostApiServer: `https://127.0.0.1:${ready?.port ?? config.hostApiPort}`,
    durationMs: Date.now() - base.started,
  };
}

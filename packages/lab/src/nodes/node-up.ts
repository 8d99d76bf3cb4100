import { readdirSync } from 'node:fs';
import {
  type CommandRunner,
  createCommandRunner,
  type KubeClient,
  netnsExists,
  writeFileAtomicSync,
} from '@loom-net/core';
import type { LabConfig } from '../config/lab-config.ts';
import type { NodeSettings } from '../config/node-settings.ts';
import { isLabError, LabError } from '../errors.ts';
import { pkiFiles } from '../pki/pki.ts';
import { readPidFile } from '../process/detached-process.ts';
import { logTail } from '../process/log-tail.ts';
import { namespaceIdentity } from '../process/namespace-members.ts';
import { renderKubeletConfig } from './kubelet-config.ts';
import { installNodeCni, nodeCniInPlace } from './node-cni.ts';
import {
  assertNetnsDirShared,
  createNodeMountNamespace,
  ensureMountNamespaceDir,
  mountNamespaceIsWhole,
} from './node-mount-namespace.ts';
import { createNodeNetwork, ensureNodeRoutes, nodeNetworkIsWhole } from './node-network.ts';
import { ensureNodeObject, type NodeCondition, waitForNodes } from './node-objects.ts';
import { ensureNodePki, nodePkiFiles, writeKubeletKubeconfig } from './node-pki.ts';
import { type NodePlan, planNodes } from './node-plan.ts';
import {
  NODE_PROCESSES,
  type NodeImage,
  type NodeProcessName,
  nodeProcessFiles,
  nodeProcessPid,
  nodeProcessRan,
  processGone,
  removeAllPods,
  startNodeProcess,
  stopNodeProcess,
  waitRuntimeServing,
} from './node-processes.ts';

/** The kubelet renews its Lease every quarter of this; the controller manager's grace is 20 s. */
export const NODE_LEASE_SECONDS = 20;
const READY_TIMEOUT_MS = 120_000;

export interface NodesContext {
  config: LabConfig;
  binDir: string;
  client: KubeClient;
  settings: NodeSettings;
  /** The lab CA was just made: every node certificate must be issued again. */
  pkiRenewed: boolean;
  /** Loom's image for the nodes' runtimes (with `--cni loom` or `none`: installable later). */
  image?: NodeImage;
  progress: (line: string) => void;
}

export interface NodeReport {
  name: string;
  ip: string;
  /**
   * `kept`: it ran and was whole; `repaired`: its processes were kept, but its CNI config was
   * put back or a process it did not run before was added; `restarted`: a namespace was
   * rebuilt or a process started again.
   */
  action: 'started' | 'restarted' | 'repaired' | 'kept';
  /** The processes it runs (Loom's own run in its pods). */
  pids: Partial<Record<NodeProcessName, number>>;
  /** Ready (with a CNI), or registered and NotReady (without one). */
  ready: boolean;
  /** From the start of the node step until the node got there. */
  durationMs: number;
}

/** Whether each node runs and is whole, without touching anything (up's quick path). */
export function nodesLookWhole(config: LabConfig, settings: NodeSettings): boolean {
  return planNodes(config, settings).every(
    (node) =>
      netnsExists(node.netns) &&
      namespaceIdentity('mnt', node.mountNamespace) !== undefined &&
      NODE_PROCESSES.every((name) => nodeProcessPid(config, node, name) !== undefined) &&
      nodeCniInPlace(node, settings.cni),
  );
}

/** The PIDs of what a node runs, for reports. */
export function nodePids(config: LabConfig, node: NodePlan): NodeReport['pids'] {
  return Object.fromEntries(
    NODE_PROCESSES.map((name) => [name, nodeProcessPid(config, node, name) ?? 0]),
  );
}

/**
 * Brings every node up, or repairs it (rebuilds a broken namespace, restarts a dead process,
 * reinstalls a missing CNI config), then waits until each is Ready.
 */
export async function ensureNodes(context: NodesContext): Promise<NodeReport[]> {
  const started = Date.now();
  const { config, client, settings } = context;
  const nodes = planNodes(config, settings);
  if (nodes.length === 0) return [];
  assertNetnsDirShared();
  await ensureMountNamespaceDir(config);
  if (settings.podCidrs === 'lab') {
    await Promise.all(nodes.map((node) => ensureNodeObject(client, node)));
  }
  const runner = createCommandRunner();
  const actions = await Promise.all(nodes.map((node) => ensureNode(context, runner, node)));
  // The route agent waits for the podCIDR itself; the lab's bridge config needs it first.
  if (settings.cni === 'bridge' && settings.podCidrs !== 'lab') {
    await installAllocatedCni(context, nodes);
  }
  const wanted =
    settings.cni === 'none'
      ? { done: (c: NodeCondition) => c.registered, describe: 'registered' }
      : { done: (c: NodeCondition) => c.ready, describe: 'Ready' };
  const waitStarted = Date.now();
  const reached = await waitWithLogs(context, nodes, wanted);
  return nodes.map((node, i) => ({
    name: node.name,
    ip: node.ip,
    action: actions[i]!,
    pids: nodePids(config, node),
    ready: settings.cni !== 'none',
    durationMs: waitStarted - started + (reached.get(node.name) ?? 0),
  }));
}

async function ensureNode(
  context: NodesContext,
  runner: CommandRunner,
  node: NodePlan,
): Promise<NodeReport['action']> {
  const { config } = context;
  const ranBefore = NODE_PROCESSES.filter((name) => nodeProcessRan(config, node, name));
  const rebuilt = await ensureNodeNamespaces(context, runner, node);
  // A rebuilt network may have a new address (a node moved to the other subnet): its serving
  // certificate names the address.
  if (await ensureNodePki(config, node, context.pkiRenewed || rebuilt.network)) {
    await stopNodeProcess(config, node, 'kubelet');
  }
  writeKubeletKubeconfig(config, node);
  writeKubeletConfig(config, node);
  const cniWasInPlace = await ensureNodeCni(context, runner, node);
  const started = await startMissing(context, node);
  if (ranBefore.length === 0) return 'started';
  if (rebuilt.any || started.some((name) => ranBefore.includes(name))) return 'restarted';
  // Only what never ran here started: the rest was kept.
  return started.length > 0 || !cniWasInPlace ? 'repaired' : 'kept';
}

/** Rebuilds a node's network or mount namespace that is not whole, its processes stopped. */
async function ensureNodeNamespaces(
  context: NodesContext,
  runner: CommandRunner,
  node: NodePlan,
): Promise<{ any: boolean; network: boolean }> {
  const [netWhole, mountsWhole] = await Promise.all([
    nodeNetworkIsWhole(runner, node),
    mountNamespaceIsWhole(node),
  ]);
  if (netWhole && mountsWhole) return { any: false, network: false };
  for (const name of [...NODE_PROCESSES].reverse()) {
    await stopNodeProcess(context.config, node, name);
  }
  if (!mountsWhole) await createNodeMountNamespace(node);
  if (!netWhole) {
    await createNodeNetwork(runner, context.config, node);
    await clearStalePods(context, node);
  }
  return { any: true, network: !netWhole };
}

/**
 * The node's CNI config and its route to the remote subnet; returns whether the config was in
 * place already (Loom's is its DaemonSet's to write: a missing one comes back with its pod).
 */
async function ensureNodeCni(
  context: NodesContext,
  runner: CommandRunner,
  node: NodePlan,
): Promise<boolean> {
  const { settings } = context;
  const cniWasInPlace = nodeCniInPlace(node, settings.cni);
  if (settings.cni !== 'bridge' || settings.podCidrs === 'lab') {
    installNodeCni(node, settings.cni, node.podCidr);
  }
  await ensureNodeRoutes(runner, node, settings.remote > 0);
  return cniWasInPlace;
}

function writeKubeletConfig(config: LabConfig, node: NodePlan): void {
  const files = nodePkiFiles(node);
  const content = renderKubeletConfig({
    node,
    clientCaFile: pkiFiles(config.paths.pkiDir).ca.cert,
    tlsCertFile: files.serving.cert,
    tlsPrivateKeyFile: files.serving.key,
    nodeLeaseDurationSeconds: NODE_LEASE_SECONDS,
  });
  writeFileAtomicSync(node.kubeletConfigFile, content);
}

// Pods whose node namespace was replaced lost their link to it: remove them, so the kubelet
// makes new sandboxes (CNI DEL frees their addresses in the node's host-local store).
async function clearStalePods(context: NodesContext, node: NodePlan): Promise<void> {
  let sandboxes: string[] = [];
  try {
    sandboxes = readdirSync(`${node.runtimeStateDir}/sandboxes`);
  } catch {}
  if (sandboxes.length === 0) return;
  const failure = await removeAllPods(context.config, node, context.binDir);
  if (failure) context.progress(`warning: ${failure}`);
}

/** Starts whichever of the node's processes is not running, runtime first; returns which. */
async function startMissing(context: NodesContext, node: NodePlan): Promise<NodeProcessName[]> {
  const { config, binDir, progress } = context;
  const started: NodeProcessName[] = [];
  for (const name of NODE_PROCESSES) {
    if (nodeProcessPid(config, node, name) !== undefined) continue;
    progress(`starting ${name} on ${node.name}…`);
    const pid = startNodeProcess(config, node, binDir, name, context.image);
    if (name === 'lab-runtime') await waitRuntimeServing(config, node, pid);
    started.push(name);
  }
  return started;
}

// When an allocator assigns podCIDRs, a node's is known only once it registered and got one;
// the bridge config (and so readiness) waits for it.
async function installAllocatedCni(context: NodesContext, nodes: NodePlan[]): Promise<void> {
  const cidrs = new Map<string, string>();
  const allocator =
    context.settings.podCidrs === 'loom' ? 'loom-pod-cidr-allocator' : 'kube-controller-manager';
  await waitWithLogs(context, nodes, {
    done: (condition) => {
      if (condition.podCidr) cidrs.set(condition.name, condition.podCidr);
      return condition.podCidr !== undefined;
    },
    describe: `given a podCIDR by ${allocator}`,
  });
  for (const node of nodes) installNodeCni(node, 'bridge', cidrs.get(node.name));
}

/** waitForNodes, failing early when a node's process dies, and with their log tails. */
async function waitWithLogs(
  context: NodesContext,
  nodes: NodePlan[],
  wanted: { done: (condition: NodeCondition) => boolean; describe: string },
): Promise<Map<string, number>> {
  const { config, client } = context;
  try {
    return await waitForNodes(
      client,
      nodes.map((node) => node.name),
      wanted.done,
      {
        timeoutMs: READY_TIMEOUT_MS,
        describe: wanted.describe,
        check: async () => {
          for (const node of nodes) {
            for (const name of NODE_PROCESSES) {
              const pid = readPidFile(nodeProcessFiles(config, node, name).pidFile);
              if (pid === undefined || (await processGone(config, pid))) {
                throw new LabError(
                  'LOOM_LAB_COMPONENT_CRASHED',
                  `the ${name} of ${node.name} exited${tails(config, node, [name])}`,
                );
              }
            }
          }
        },
      },
    );
  } catch (error) {
    if (!isLabError(error, 'LOOM_LAB_NODE_NOT_READY')) throw error;
    throw new LabError(
      'LOOM_LAB_NODE_NOT_READY',
      `${error.message}${nodes.map((node) => tails(config, node, ['kubelet'])).join('')}`,
    );
  }
}

function tails(config: LabConfig, node: NodePlan, names: NodeProcessName[]): string {
  return names
    .map((name) => {
      const { logFile } = nodeProcessFiles(config, node, name);
      return `\n${node.name} ${name} (${logFile}):\n${logTail(logFile, 8) || '(no output)'}`;
    })
    .join('');
}

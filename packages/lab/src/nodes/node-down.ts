import { readdirSync } from 'node:fs';
import {
  createCommandRunner,
  deleteNetns,
  NETNS_RUN_DIR,
  netnsExists,
  netnsPath,
} from '@loom-net/core';
import type { LabConfig } from '../config/lab-config.ts';
import type { NodePlacement } from '../config/node-settings.ts';
import { killNamespaceMembers, namespaceIdentity } from '../process/namespace-members.ts';
import { removeNodeMountNamespace } from './node-mount-namespace.ts';
import { removeNodeNetwork } from './node-network.ts';
import { type NodePlan, planNode } from './node-plan.ts';
import {
  NODE_PROCESSES,
  type NodeProcessName,
  removeAllPods,
  stopNodeProcess,
} from './node-processes.ts';

export interface NodeDownReport {
  name: string;
  stopped: { name: NodeProcessName; pid: number; outcome: 'stopped' | 'killed' }[];
  /** Processes still in the node's namespaces after the runtime removed its pods. */
  killed: number[];
  /** Pod namespaces left after the runtime's own cleanup, deleted here. */
  podNamespacesRemoved: string[];
  /** The node's own namespace, when there was one to delete. */
  namespacesRemoved: string[];
  /** Why `remove-all-pods` failed, if it did (teardown goes on regardless). */
  warning?: string;
}

/**
 * The nodes a state dir has: what lab.json says (`recorded`, which also places them), plus any
 * node directory a crash left.
 */
export function nodesOnDisk(config: LabConfig, recorded: NodePlacement | undefined): NodePlan[] {
  const placement = recorded ?? { count: 0, remote: 0 };
  const indices = new Set(Array.from({ length: placement.count }, (_, i) => i + 1));
  try {
    for (const entry of readdirSync(config.paths.nodesDir)) {
      const match = /^node(\d+)$/.exec(entry);
      if (match) indices.add(Number(match[1]));
    }
  } catch {}
  return [...indices].sort((a, b) => a - b).map((index) => planNode(config, index, placement));
}

export function podNamespaces(node: NodePlan): string[] {
  try {
    return readdirSync(NETNS_RUN_DIR).filter((name) => name.startsWith(node.podNetnsPrefix));
  } catch {
    return [];
  }
}

/**
 * Takes a node apart: route agent, kubelet and runtime stopped by PID, every pod removed by the runtime
 * (CNI DEL, namespaces, processes), whatever is still in the node's namespaces killed by PID,
 * the mount namespace released (the kubelet's mounts die with it), the network namespaces
 * deleted. Safe to repeat; each step tolerates what an earlier run already removed.
 */
export async function removeNode(
  config: LabConfig,
  node: NodePlan,
  binDir: string | undefined,
): Promise<NodeDownReport> {
  const report: NodeDownReport = {
    name: node.name,
    stopped: [],
    killed: [],
    podNamespacesRemoved: [],
    namespacesRemoved: [],
  };
  for (const name of [...NODE_PROCESSES].reverse()) {
    const result = await stopNodeProcess(config, node, name);
    if (result.outcome !== 'not-running' && result.pid !== undefined) {
      report.stopped.push({ name, pid: result.pid, outcome: result.outcome });
    }
  }
  const mountNamespace = namespaceIdentity('mnt', node.mountNamespace);
  // Taken before the runtime deletes the pods' namespaces: a container process that outlived
  // its pod is still found by the namespace it is in.
  const identities = new Set(
    [
      mountNamespace,
      namespaceIdentity('net', netnsPath(node.netns)),
      ...podNamespaces(node).map((name) => namespaceIdentity('net', netnsPath(name))),
    ].filter((identity): identity is string => identity !== undefined),
  );
  if (binDir !== undefined && netnsExists(node.netns) && mountNamespace !== undefined) {
    const warning = await removeAllPods(config, node, binDir);
    if (warning) report.warning = warning;
  }
  report.killed = await killNamespaceMembers(identities);
  const pods = podNamespaces(node);
  await removeNodeMountNamespace(node);
  const runner = createCommandRunner();
  for (const name of pods) {
    await deleteNetns(runner, name);
    report.podNamespacesRemoved.push(name);
  }
  if (netnsExists(node.netns)) report.namespacesRemoved.push(node.netns);
  await removeNodeNetwork(runner, config, node);
  return report;
}

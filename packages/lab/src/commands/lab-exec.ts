import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isKubeApiError, type KubeClient, netnsExists, netnsPath, type Pod } from '@loom-net/core';
import type { SandboxRecord } from '@loom-net/lab-runtime';
import { withLabApiClient } from '../cluster/lab-api-client.ts';
import { type LabConfig, type LabOptions, resolveLabConfig } from '../config/lab-config.ts';
import { LabError } from '../errors.ts';
import { nodesOnDisk } from '../nodes/node-down.ts';
import type { NodePlan } from '../nodes/node-plan.ts';
import { type AttachedOptions, runAttached } from '../process/run-attached.ts';
import type { ToolResult } from '../process/run-tool.ts';
import { readLabState } from '../state/lab-state.ts';
import { requireRoot } from './preflight.ts';

export interface ExecOptions extends LabOptions, Omit<AttachedOptions, 'stdin'> {}

export type ExecResult = ToolResult;

/** Where a command runs: a node's namespaces, or a pod's network namespace on its node. */
export interface ExecTarget {
  /** `node node1`, `pod default/web-1 on node2 (netns loom-node2-0123456789ab)`. */
  description: string;
  netns: string;
  node: NodePlan;
  /** A pod's resolv.conf, bind-mounted over /etc/resolv.conf for the command. */
  resolvConf?: string;
}

const targetError = (message: string) => new LabError('LOOM_LAB_EXEC_TARGET', message);

/**
 * The argv: `nsenter` into the network namespace and the node's mount namespace (so paths are
 * what the node sees: /etc/cni/net.d, /var/lib/cni, …); for a pod, a private mount namespace
 * on top holding the pod's resolv.conf, so `dig` and `curl` resolve as the pod does.
 */
export function execArgv(target: ExecTarget, command: readonly string[]): string[] {
  const enter = [
    'nsenter',
    `--net=${netnsPath(target.netns)}`,
    `--mount=${target.node.mountNamespace}`,
    '--',
  ];
  if (target.resolvConf === undefined) return [...enter, ...command];
  return [
    ...enter,
    'unshare',
    '--mount',
    '--propagation',
    'private',
    '--',
    '/bin/sh',
    '-c',
    'mount --bind "$0" /etc/resolv.conf && exec "$@"',
    target.resolvConf,
    ...command,
  ];
}

/** `node1` or `NAMESPACE/POD`, resolved against the lab's state and its API server. */
export async function resolveExecTarget(config: LabConfig, host: string): Promise<ExecTarget> {
  const state = readLabState(config);
  if (!state)
    throw new LabError(
      'LOOM_LAB_NOT_UP',
      `there is no lab in ${config.stateDir} (run: loom lab up)`,
    );
  const nodes = nodesOnDisk(config, state.nodes);
  const slash = host.indexOf('/');
  if (slash < 0) return nodeTarget(nodes, host);
  const [namespace, name] = [host.slice(0, slash), host.slice(slash + 1)];
  if (!namespace || !name || name.includes('/')) {
    throw targetError(`invalid exec target "${host}": expected a node (node1) or NAMESPACE/POD`);
  }
  const pod = await withLabApiClient(config, (client) => readPod(client, namespace, name));
  const nodeName = pod.spec?.nodeName;
  if (!nodeName)
    throw targetError(
      `pod ${host} is not scheduled to a node yet (phase ${pod.status?.phase ?? 'unknown'})`,
    );
  const node = nodeTarget(nodes, nodeName).node;
  if (pod.spec?.hostNetwork) {
    return { description: `pod ${host} on ${node.name} (host network)`, netns: node.netns, node };
  }
  const sandbox = readySandbox(node, pod.metadata?.uid ?? '');
  if (!sandbox?.record.netns || !netnsExists(sandbox.record.netns)) {
    throw targetError(
      `pod ${host} has no running sandbox on ${node.name} (phase ${pod.status?.phase ?? 'unknown'})`,
    );
  }
  return {
    description: `pod ${host} on ${node.name} (netns ${sandbox.record.netns})`,
    netns: sandbox.record.netns,
    node,
    resolvConf: join(sandbox.dir, 'resolv.conf'),
  };
}

function nodeTarget(nodes: NodePlan[], name: string): ExecTarget {
  const node = nodes.find((candidate) => candidate.name === name);
  if (!node) {
    const known = nodes.map((candidate) => candidate.name).join(', ') || 'none';
    throw targetError(`no node "${name}" in the lab (nodes: ${known}); a pod is NAMESPACE/POD`);
  }
  if (!netnsExists(node.netns))
    throw targetError(
      `node ${name} is down: netns ${node.netns} does not exist (run: loom lab up)`,
    );
  return { description: `node ${name}`, netns: node.netns, node };
}

async function readPod(client: KubeClient, namespace: string, name: string): Promise<Pod> {
  try {
    return await client.request<Pod>({
      path: `/api/v1/namespaces/${namespace}/pods/${name}`,
    });
  } catch (error) {
    if (isKubeApiError(error, 404)) throw targetError(`no pod ${name} in namespace ${namespace}`);
    throw error;
  }
}

/**
 * The pod's newest ready sandbox, from the node runtime's own records (what the kubelet would
 * get from PodSandboxStatus): the runtime is the one that knows which namespace it made.
 */
export function readySandbox(
  node: Pick<NodePlan, 'runtimeStateDir'>,
  podUid: string,
): { dir: string; record: SandboxRecord } | undefined {
  const root = join(node.runtimeStateDir, 'sandboxes');
  let ids: string[] = [];
  try {
    ids = readdirSync(root);
  } catch {}
  const found: { dir: string; record: SandboxRecord }[] = [];
  for (const id of ids) {
    try {
      const record = JSON.parse(
        readFileSync(join(root, id, 'sandbox.json'), 'utf8'),
      ) as SandboxRecord;
      if (record.config.metadata?.uid === podUid && record.state === 'ready') {
        found.push({ dir: join(root, id), record });
      }
    } catch {}
  }
  found.sort((a, b) => (BigInt(a.record.createdAt) < BigInt(b.record.createdAt) ? 1 : -1));
  return found[0];
}

/** `loom lab exec HOST -- CMD…`: runs CMD in a node's or a pod's network namespace. */
export async function labExec(
  host: string,
  command: readonly string[],
  options: ExecOptions = {},
): Promise<ExecResult> {
  requireRoot('run a command in the lab');
  if (command.length === 0)
    throw targetError(`nothing to run in ${host}: give a command after "--"`);
  const config = resolveLabConfig(options, options.env);
  const argv = execArgv(await resolveExecTarget(config, host), command);
  return runAttached(argv, options);
}

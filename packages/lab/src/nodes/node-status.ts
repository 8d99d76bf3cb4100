import { netnsExists, netnsPath } from '@loom-net/core';
import type { LabCni, LabConfig } from '../config/lab-config.ts';
import { LAB_NETWORK } from '../config/network-plan.ts';
import type { ProbeResult } from '../health/http-probe.ts';
import { logTail } from '../process/log-tail.ts';
import { namespaceIdentity } from '../process/namespace-members.ts';
import { runTool } from '../process/run-tool.ts';
import type { NodeCondition } from './node-objects.ts';
import type { NodePlan } from './node-plan.ts';
import {
  type NodeProcessName,
  nodeProcessesFor,
  nodeProcessFiles,
  nodeProcessPid,
} from './node-processes.ts';

export interface NodeProcessStatus {
  name: NodeProcessName;
  running: boolean;
  pid?: number;
  logFile: string;
  /** The latest run's last lines, when it is not running. */
  logTail?: string;
  /** The route agent's `/readyz?verbose`, asked inside the node's network namespace. */
  readiness?: ProbeResult;
}

export interface NodeStatus {
  name: string;
  ip: string;
  netns: string;
  netnsExists: boolean;
  mountNamespaceExists: boolean;
  processes: NodeProcessStatus[];
  /** What the API says; absent when the API server could not be asked. */
  condition?: NodeCondition;
}

export async function nodeStatus(
  config: LabConfig,
  node: NodePlan,
  cni: LabCni,
  conditions: Map<string, NodeCondition> | undefined,
): Promise<NodeStatus> {
  const processes = await Promise.all(
    nodeProcessesFor(cni).map(async (name): Promise<NodeProcessStatus> => {
      const { logFile } = nodeProcessFiles(config, node, name);
      const pid = nodeProcessPid(config, node, name);
      if (pid === undefined) return { name, running: false, logFile, logTail: logTail(logFile) };
      if (name !== 'route-agent') return { name, running: true, pid, logFile };
      return { name, running: true, pid, logFile, readiness: await agentReadiness(node) };
    }),
  );
  const condition = conditions?.get(node.name);
  return {
    name: node.name,
    ip: node.ip,
    netns: node.netns,
    netnsExists: netnsExists(node.netns),
    mountNamespaceExists: namespaceIdentity('mnt', node.mountNamespace) !== undefined,
    processes,
    ...(condition ? { condition } : {}),
  };
}

/**
 * The agent's health port is inside the node's network namespace, which nothing outside can
 * connect to: curl runs there, as a kubelet's probe of a hostNetwork pod would.
 */
async function agentReadiness(node: NodePlan): Promise<ProbeResult> {
  const url = `http://127.0.0.1:${LAB_NETWORK.routeAgentHealthPort}/readyz?verbose`;
  const result = await runTool(
    [
      'nsenter',
      `--net=${netnsPath(node.netns)}`,
      '--',
      'curl',
      '-sS',
      '-m',
      '2',
      '-w',
      '\n%{http_code}',
      url,
    ],
    { timeoutMs: 5_000 },
  );
  const lines = result.stdout.trimEnd().split('\n');
  const code = lines.pop() ?? '';
  const failed = lines.filter((line) => line.startsWith('[-]')).join('; ');
  if (result.exitCode !== 0) return { ok: false, detail: result.stderr.trim() || 'no answer' };
  return { ok: code === '200', detail: code === '200' ? 'ready' : `${code} ${failed}` };
}

/** Its namespaces exist and all of its processes run (Ready is reported on its own). */
export function nodeRuns(status: NodeStatus): boolean {
  return (
    status.netnsExists &&
    status.mountNamespaceExists &&
    status.processes.every((process) => process.running)
  );
}

import { netnsExists } from '@loom-net/core';
import type { LabConfig } from '../config/lab-config.ts';
import { logTail } from '../process/log-tail.ts';
import { namespaceIdentity } from '../process/namespace-members.ts';
import type { NodeCondition } from './node-objects.ts';
import type { NodePlan } from './node-plan.ts';
import {
  NODE_PROCESSES,
  type NodeProcessName,
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
  conditions: Map<string, NodeCondition> | undefined,
): Promise<NodeStatus> {
  const processes = await Promise.all(
    NODE_PROCESSES.map(async (name): Promise<NodeProcessStatus> => {
      const { logFile } = nodeProcessFiles(config, node, name);
      const pid = nodeProcessPid(config, node, name);
      if (pid === undefined) return { name, running: false, logFile, logTail: logTail(logFile) };
      return { name, running: true, pid, logFile };
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

/** Its namespaces exist and all of its processes run (Ready is reported on its own). */
export function nodeRuns(status: NodeStatus): boolean {
  return (
    status.netnsExists &&
    status.mountNamespaceExists &&
    status.processes.every((process) => process.running)
  );
}

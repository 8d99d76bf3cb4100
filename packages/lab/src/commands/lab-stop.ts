import { stopComponent } from '../components/component-runner.ts';
import { COMPONENTS, type ComponentName } from '../components/component-table.ts';
import { type LabOptions, resolveLabConfig } from '../config/lab-config.ts';
import { LabError } from '../errors.ts';
import { nodesOnDisk } from '../nodes/node-down.ts';
import { type NodeProcessName, stopNodeProcess } from '../nodes/node-processes.ts';
import type { StopResult } from '../process/detached-process.ts';
import { readLabState } from '../state/lab-state.ts';
import { requireRoot } from './preflight.ts';

export type StopTarget = { component: ComponentName } | { node: string; process: NodeProcessName };

/**
 * Stops one of the lab's processes by its PID (SIGTERM, then SIGKILL after the grace period),
 * as an outage or an operator would; `up` starts it again. For failure tests: an API server
 * outage, a node whose route agent is gone.
 */
export async function labStop(
  target: StopTarget,
  options: LabOptions & { env?: NodeJS.ProcessEnv } = {},
): Promise<StopResult & { pid?: number }> {
  requireRoot('stop a lab process');
  const config = resolveLabConfig(options, options.env);
  if ('component' in target) {
    const component = COMPONENTS.find((candidate) => candidate.name === target.component);
    if (!component) {
      throw new LabError('LOOM_LAB_EXEC_TARGET', `no lab component "${target.component}"`);
    }
    return stopComponent(config, component);
  }
  const node = nodesOnDisk(config, readLabState(config)?.nodes).find(
    (candidate) => candidate.name === target.node,
  );
  if (!node) throw new LabError('LOOM_LAB_EXEC_TARGET', `no node "${target.node}" in the lab`);
  return stopNodeProcess(config, node, target.process);
}

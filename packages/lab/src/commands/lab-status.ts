import { netnsExists } from '@loom-net/core';
import { readBridgeReady } from '../bridge/bridge-ready.ts';
import { withLabApiClient } from '../cluster/lab-api-client.ts';
import { type ComponentStatus, componentStatus } from '../components/component-runner.ts';
import { COMPONENTS, componentFiles } from '../components/component-table.ts';
import { type LabConfig, type LabOptions, resolveLabConfig } from '../config/lab-config.ts';
import { nodesOnDisk } from '../nodes/node-down.ts';
import { readNodeConditions } from '../nodes/node-objects.ts';
import { type NodeStatus, nodeRuns, nodeStatus } from '../nodes/node-status.ts';
import { labNamespaces, readLabState } from '../state/lab-state.ts';
import { requireRoot } from './preflight.ts';

export interface StatusOptions extends LabOptions {
  env?: NodeJS.ProcessEnv;
}

export interface LabStatus {
  config: LabConfig;
  /** A lab exists in the state dir (it was brought up and not taken down). */
  exists: boolean;
  /** Every component runs and answers its health probe, every node's processes run. */
  healthy: boolean;
  namespaces: { name: string; exists: boolean }[];
  components: ComponentStatus[];
  nodes: NodeStatus[];
  /** Why node readiness is unknown (the API server did not answer). */
  nodesUnknown?: string;
  hostApiServer?: string;
}

export async function labStatus(options: StatusOptions = {}): Promise<LabStatus> {
  const config = resolveLabConfig(options, options.env);
  requireRoot('read the lab status');
  const state = readLabState(config);
  const components = await Promise.all(
    COMPONENTS.map((component) => componentStatus(config, component, { probe: true })),
  );
  const ready = readBridgeReady(
    config.paths.hostBridgeReady,
    componentFiles(config, 'host-bridge').pidFile,
  );
  const plans = nodesOnDisk(config, state?.nodes);
  let conditions: Awaited<ReturnType<typeof readNodeConditions>> | undefined;
  let nodesUnknown: string | undefined;
  if (plans.length > 0) {
    try {
      conditions = await withLabApiClient(config, (client) => readNodeConditions(client, 3_000));
    } catch (error) {
      nodesUnknown = (error as Error).message;
    }
  }
  const nodes = await Promise.all(plans.map((node) => nodeStatus(config, node, conditions)));
  return {
    config,
    exists: state !== undefined,
    healthy:
      components.every((component) => component.health?.ok === true) && nodes.every(nodeRuns),
    namespaces: labNamespaces(config, {
      count: plans.length,
      remote: state?.nodes?.remote ?? 0,
    }).map((name) => ({
      name,
      exists: netnsExists(name),
    })),
    components,
    nodes,
    ...(nodesUnknown ? { nodesUnknown } : {}),
    ...(ready ? { hostApiServer: `https://127.0.0.1:${ready.port}` } : {}),
  };
}

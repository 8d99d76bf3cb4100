import { netnsExists } from '@loom-net/core';
import { readBridgeReady } from './bridge/bridge-ready.ts';
import { type ComponentStatus, componentStatus } from './components/component-runner.ts';
import { COMPONENTS, componentFiles } from './components/component-table.ts';
import { type LabConfig, type LabOptions, resolveLabConfig } from './lab-config.ts';
import { requireRoot } from './preflight.ts';
import { labNamespaces, readLabState } from './state/lab-state.ts';

export interface StatusOptions extends LabOptions {
  env?: NodeJS.ProcessEnv;
}

export interface LabStatus {
  config: LabConfig;
  /** A lab exists in the state dir (it was brought up and not taken down). */
  exists: boolean;
  /** Every component runs and answers its health probe. */
  healthy: boolean;
  namespaces: { name: string; exists: boolean }[];
  components: ComponentStatus[];
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
  return {
    config,
    exists: state !== undefined,
    healthy: components.every((component) => component.health?.ok === true),
    namespaces: labNamespaces(config).map((name) => ({ name, exists: netnsExists(name) })),
    components,
    ...(ready ? { hostApiServer: `https://127.0.0.1:${ready.port}` } : {}),
  };
}

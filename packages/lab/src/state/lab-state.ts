import { readFileSync } from 'node:fs';
import { netnsExists, writeFileAtomicSync } from '@loom-net/core';
import type { LabConfig } from '../config/lab-config.ts';
import {
  type NodePlacement,
  type NodeSettings,
  nodeNetns,
  recordedNodeSettings,
} from '../config/node-settings.ts';
import { LabError } from '../errors.ts';

/**
 * The lab's record of itself (`lab.json`): what it created, so `down` removes exactly that
 * and `up` can tell its own namespaces from someone else's.
 */
export interface LabState {
  version: 1;
  prefix: string;
  namespaces: string[];
  binDir: string;
  createdAt: string;
  /** The nodes it runs (absent in a lab made before nodes existed: none). */
  nodes?: NodeSettings;
  /**
   * Directories `up` created on the host as mount points of the nodes' standard paths
   * (`/etc/cni/net.d`, …); `down` removes them again when no mount namespace uses them.
   */
  hostDirs?: string[];
  /** The image `loom install` last rolled out (`reference@digest`); another one is installed again. */
  installedImage?: string;
}

export function readLabState(config: LabConfig): LabState | undefined {
  let text: string;
  try {
    text = readFileSync(config.paths.stateFile, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const state = JSON.parse(text) as LabState;
    if (state.version !== 1 || !Array.isArray(state.namespaces)) throw new Error('unknown format');
    const nodes = recordedNodeSettings(state.nodes);
    return nodes ? { ...state, nodes } : state;
  } catch (error) {
    throw new LabError(
      'LOOM_LAB_BAD_CONFIG',
      `cannot read the lab state ${config.paths.stateFile}: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

export function writeLabState(config: LabConfig, state: LabState): void {
  writeFileAtomicSync(config.paths.stateFile, `${JSON.stringify(state, null, 2)}\n`);
}

/**
 * The lab's own network namespaces: the switch, the control plane, the router and the second
 * switch when some nodes are remote, then each node's.
 */
export function labNamespaces(
  config: LabConfig,
  placement: NodePlacement = { count: 0, remote: 0 },
): string[] {
  const nodes = Array.from({ length: placement.count }, (_, i) => nodeNetns(config, i + 1));
  const router = placement.remote > 0 ? [config.netns.router, config.netns.remoteSwitch] : [];
  return [config.netns.switch, config.netns.controlPlane, ...router, ...nodes];
}

/** Refuses to adopt a namespace this lab did not create (another lab's, a user's). */
export function assertNamespacesOurs(
  config: LabConfig,
  state: LabState | undefined,
  placement: NodePlacement = { count: 0, remote: 0 },
): void {
  for (const name of labNamespaces(config, placement)) {
    if (netnsExists(name) && !state?.namespaces.includes(name)) {
      throw new LabError(
        'LOOM_LAB_NETNS_TAKEN',
        `cannot create netns ${name}: it already exists and the lab in ${config.stateDir} did not create it; remove it (ip netns del ${name}) or choose another --prefix`,
      );
    }
  }
}

import { join } from 'node:path';
import { netnsExists } from '@loom-net/core';
import { type LabOptions, resolveLabConfig } from '../config/lab-config.ts';
import { LabError } from '../errors.ts';
import { launchArgv } from '../process/detached-process.ts';
import { type AttachedOptions, runAttached } from '../process/run-attached.ts';
import type { ToolResult } from '../process/run-tool.ts';
import { readLabState } from '../state/lab-state.ts';
import { requireRoot } from './preflight.ts';

export interface KubectlOptions extends LabOptions, Omit<AttachedOptions, 'timeoutMs'> {}

export type KubectlResult = ToolResult;

/** The lab's own kubectl (same version as the API server), run in the control-plane netns. */
export function kubectlArgv(
  options: LabOptions & { env?: NodeJS.ProcessEnv },
  args: readonly string[],
): string[] {
  const config = resolveLabConfig(options, options.env);
  const state = readLabState(config);
  if (!state || !netnsExists(config.netns.controlPlane)) {
    throw new LabError(
      'LOOM_LAB_NOT_UP',
      `cannot run kubectl: there is no lab in ${config.stateDir} (run: loom lab up)`,
    );
  }
  return launchArgv({
    file: join(state.binDir, 'kubectl'),
    args: ['--kubeconfig', config.paths.adminKubeconfig, ...args],
    netns: config.netns.controlPlane,
  });
}

export function runKubectl(
  args: readonly string[],
  options: KubectlOptions = {},
): Promise<KubectlResult> {
  requireRoot('run kubectl in the lab');
  const argv = kubectlArgv(options, args);
  return runAttached(argv, options);
}

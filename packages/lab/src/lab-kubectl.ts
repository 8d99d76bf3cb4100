import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { netnsExists } from '@loom-net/core';
import { LabError } from './errors.ts';
import { type LabOptions, resolveLabConfig } from './lab-config.ts';
import { requireRoot } from './preflight.ts';
import { launchArgv } from './process/detached-process.ts';
import { readLabState } from './state/lab-state.ts';

export interface KubectlOptions extends LabOptions {
  env?: NodeJS.ProcessEnv;
  /** Collect stdout/stderr instead of passing the terminal through. */
  capture?: boolean;
  /** Fed to kubectl's stdin (`apply -f -`); implies capture. */
  stdin?: string;
}

export interface KubectlResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

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
  return new Promise((resolve, reject) => {
    const capture = options.capture || options.stdin !== undefined;
    const child = spawn(argv[0]!, argv.slice(1), {
      stdio: capture
        ? [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe']
        : 'inherit',
    });
    child.stdin?.on('error', () => {});
    child.stdin?.end(options.stdin);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code, signal) =>
      resolve({ exitCode: code ?? (signal ? 128 : 1), stdout, stderr }),
    );
  });
}

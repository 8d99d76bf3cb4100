import { appendFileSync, existsSync, mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { netnsPath } from '@loom-net/core';
import { criProtoPath } from '../build/binaries.ts';
import type { LabConfig } from '../config/lab-config.ts';
import { LabError } from '../errors.ts';
import {
  isOurProcess,
  launchDetached,
  RUN_MARKER,
  readPidFile,
  removePidFile,
  type StopResult,
  stopProcess,
} from '../process/detached-process.ts';
import { logTail } from '../process/log-tail.ts';
import { processMarker } from '../process/process-marker.ts';
import { runTool } from '../process/run-tool.ts';
import { kubeletArgs } from './kubelet-config.ts';
import { type NodePlan, RUNTIME_SOCKET_IN_NODE } from './node-plan.ts';
import { daemonEntry } from './package-bin.ts';

/**
 * What runs on a node, in start order: the runtime must serve before the kubelet asks. Loom
 * itself runs in pods (the `loom-node` DaemonSet), as on any cluster.
 */
export const NODE_PROCESSES = ['lab-runtime', 'kubelet'] as const;
export type NodeProcessName = (typeof NODE_PROCESSES)[number];

export function nodeProcessFiles(config: LabConfig, node: NodePlan, name: NodeProcessName) {
  return {
    logFile: join(config.paths.logDir, `${node.name}-${name}.log`),
    pidFile: join(config.paths.runDir, `${node.name}-${name}.pid`),
  };
}

/** Loom's image as the nodes' runtimes serve it: the archive, unpacked once for all of them. */
export interface NodeImage {
  archive: string;
  storeDir: string;
}

/** The runtime's flags; its CNI dirs are the standard ones, which the node's tree fills. */
export function runtimeArgs(node: NodePlan, binDir: string, image?: NodeImage): string[] {
  const images = image ? ['--image-archive', image.archive, '--image-store', image.storeDir] : [];
  return [
    '--socket',
    RUNTIME_SOCKET_IN_NODE,
    '--state-dir',
    node.runtimeStateDir,
    '--netns-prefix',
    node.podNetnsPrefix,
    '--agnhost',
    join(binDir, 'agnhost'),
    '--cri-proto',
    criProtoPath(binDir),
    ...images,
  ];
}

export function nodeCommand(
  node: NodePlan,
  binDir: string,
  name: NodeProcessName,
  image?: NodeImage,
): { file: string; args: string[] } {
  if (name === 'kubelet') return { file: join(binDir, 'kubelet'), args: kubeletArgs(node) };
  return {
    file: process.execPath,
    args: [
      '--conditions=loom-source',
      daemonEntry('@loom-net/lab-runtime', 'loom-lab-runtime'),
      ...runtimeArgs(node, binDir, image),
    ],
  };
}

export function nodeProcessPid(
  config: LabConfig,
  node: NodePlan,
  name: NodeProcessName,
): number | undefined {
  const pid = readPidFile(nodeProcessFiles(config, node, name).pidFile);
  return pid !== undefined && isOurProcess(pid, processMarker(config)) ? pid : undefined;
}

/** Whether a PID file says the process ran before (a clean stop removes it). */
export function nodeProcessRan(config: LabConfig, node: NodePlan, name: NodeProcessName): boolean {
  return existsSync(nodeProcessFiles(config, node, name).pidFile);
}

/** Starts a node process in the node's network and mount namespaces (nsenter, never `ip netns exec`). */
export function startNodeProcess(
  config: LabConfig,
  node: NodePlan,
  binDir: string,
  name: NodeProcessName,
  image?: NodeImage,
): number {
  const files = nodeProcessFiles(config, node, name);
  mkdirSync(config.paths.logDir, { recursive: true, mode: 0o700 });
  return launchDetached({
    ...nodeCommand(node, binDir, name, image),
    netns: node.netns,
    mountNamespace: node.mountNamespace,
    ...files,
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function socketAccepts(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(path);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Waits until the runtime accepts connections on its socket; a crash carries its log tail. */
export async function waitRuntimeServing(
  config: LabConfig,
  node: NodePlan,
  pid: number,
  timeoutMs = 30_000,
): Promise<void> {
  const started = Date.now();
  const { logFile } = nodeProcessFiles(config, node, 'lab-runtime');
  for (;;) {
    await sleep(50);
    if (await processGone(config, pid)) {
      throw new LabError(
        'LOOM_LAB_COMPONENT_CRASHED',
        `the lab runtime of ${node.name} exited right after it started (pid ${pid}, log ${logFile}):\n${logTail(logFile) || '(no output)'}`,
      );
    }
    if (await socketAccepts(node.runtimeSocket)) return;
    if (Date.now() - started > timeoutMs) {
      await stopProcess(pid, processMarker(config));
      throw new LabError(
        'LOOM_LAB_COMPONENT_NOT_READY',
        `the lab runtime of ${node.name} did not serve ${node.runtimeSocket} within ${timeoutMs / 1000}s (pid ${pid}, log ${logFile}):\n${logTail(logFile)}`,
      );
    }
  }
}

/**
 * Whether a process the lab started is gone. Asked twice, 100 ms apart: while `nsenter` execs
 * the program, /proc/<pid>/cmdline can read empty for an instant, which alone would look like
 * a process that is not ours any more.
 */
export async function processGone(config: LabConfig, pid: number): Promise<boolean> {
  if (isOurProcess(pid, processMarker(config))) return false;
  await sleep(100);
  return !isOurProcess(pid, processMarker(config));
}

export async function stopNodeProcess(
  config: LabConfig,
  node: NodePlan,
  name: NodeProcessName,
): Promise<StopResult & { pid?: number }> {
  const { pidFile } = nodeProcessFiles(config, node, name);
  const pid = readPidFile(pidFile);
  if (pid === undefined) return { outcome: 'not-running', durationMs: 0 };
  try {
    const result = await stopProcess(pid, processMarker(config), 10_000);
    removePidFile(pidFile);
    return { ...result, pid };
  } catch (error) {
    throw new LabError(
      'LOOM_LAB_STOP_FAILED',
      `cannot stop the ${name} of ${node.name} (pid ${pid}): ${(error as Error).message}`,
      { cause: error },
    );
  }
}

/**
 * `lab-runtime remove-all-pods` in the node's namespaces, with the serving runtime stopped:
 * CNI DEL for every pod (so the IPAM plugin frees its addresses in the node's /var/lib/cni), then
 * the pods' namespaces and processes go. Returns the failure, if any, for the caller to report.
 */
export async function removeAllPods(
  config: LabConfig,
  node: NodePlan,
  binDir: string,
): Promise<string | undefined> {
  const { file, args } = nodeCommand(node, binDir, 'lab-runtime');
  const argv = [
    'nsenter',
    `--net=${netnsPath(node.netns)}`,
    `--mount=${node.mountNamespace}`,
    '--',
    file,
    ...args.slice(0, 2),
    'remove-all-pods',
    ...args.slice(2),
  ];
  const result = await runTool(argv, { timeoutMs: 120_000 });
  const { logFile } = nodeProcessFiles(config, node, 'lab-runtime');
  mkdirSync(config.paths.logDir, { recursive: true, mode: 0o700 });
  appendFileSync(
    logFile,
    `${RUN_MARKER}${new Date().toISOString()}: ${argv.join(' ')}\n${result.stdout}${result.stderr}`,
  );
  if (result.exitCode === 0) return undefined;
  return `remove-all-pods on ${node.name} exited with ${result.exitCode} (see ${logFile}): ${result.stderr.trim().slice(-2000)}`;
}

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BRIDGE_CONFLIST,
  BRIDGE_NETWORK_NAME,
  KUBERNETES_VERSION,
  type LabOptions,
  labDown,
  labExec,
  labKubeConfig,
  labUp,
  nodeProcessPid,
  planNode,
  RUNTIME_NAME,
  readySandbox,
  resolveLabConfig,
  runKubectl,
  type UpReport,
} from '@loom-net/lab';
import type { ClusterDriver, RunResult } from './cluster-driver.ts';

/** Which lab a driver uses: its state dir and namespace prefix. */
export interface LabHandle {
  stateDir: string;
  prefix: string;
}

export const E2E_NODE_COUNT = 3;

/** Brings up a lab of its own for e2e: a fresh state dir and prefix, any free API port. */
export async function startE2eLab(
  onProgress?: (line: string) => void,
): Promise<{ handle: LabHandle; up: UpReport }> {
  const handle = {
    stateDir: mkdtempSync(join(tmpdir(), 'loom-e2e-')),
    prefix: `loom-e2e${randomBytes(2).toString('hex')}-`,
  };
  try {
    const up = await labUp({
      ...labOptions(handle),
      hostApiPort: 0,
      nodes: E2E_NODE_COUNT,
      ...(onProgress ? { onProgress } : {}),
    });
    return { handle, up };
  } catch (error) {
    await stopE2eLab(handle).catch(() => {});
    throw error;
  }
}

export async function stopE2eLab(handle: LabHandle): Promise<void> {
  await labDown(labOptions(handle));
  rmSync(handle.stateDir, { recursive: true, force: true });
}

function labOptions(handle: LabHandle): LabOptions {
  return { stateDir: handle.stateDir, prefix: handle.prefix };
}

/** The lab as an e2e cluster; `owned` = release() takes it down. */
export function labDriver(handle: LabHandle, owned: boolean): ClusterDriver {
  const options = labOptions(handle);
  const config = resolveLabConfig(options, {});
  const node = (name: string) => {
    const index = Number(/^node(\d+)$/.exec(name)?.[1]);
    if (!Number.isInteger(index)) throw new Error(`no lab node ${name}`);
    return planNode(config, index);
  };
  const kubectl = async (args: readonly string[], opts: { stdin?: string } = {}) =>
    runKubectl(args, { ...options, capture: true, ...opts });
  const exec = (host: string, command: readonly string[]): Promise<RunResult> =>
    labExec(host, command, { ...options, capture: true, timeoutMs: 60_000 });
  return {
    name: 'lab',
    nodes: Array.from({ length: E2E_NODE_COUNT }, (_, i) => `node${i + 1}`),
    expected: {
      kubeletVersion: KUBERNETES_VERSION,
      containerRuntime: new RegExp(`^${RUNTIME_NAME}://`),
    },
    kubeConfig: () => labKubeConfig(handle.stateDir),
    kubectl,
    async apply(objects) {
      const stdin = objects.map((object) => JSON.stringify(object)).join('\n');
      const result = await kubectl(['apply', '-f', '-'], { stdin });
      if (result.exitCode !== 0) throw new Error(`kubectl apply failed: ${result.stderr}`);
    },
    exec,
    async allocatedPodIps(name) {
      const dir = `/var/lib/cni/networks/${BRIDGE_NETWORK_NAME}`;
      const result = await exec(name, ['ls', '-1', dir]);
      return result.stdout.split('\n').filter((entry) => /^\d+\.\d+\.\d+\.\d+$/.test(entry));
    },
    async podNetns(namespace, pod) {
      const read = await kubectl(['get', 'pod', '-n', namespace, pod, '-o', 'json']);
      const object = JSON.parse(read.stdout) as {
        metadata: { uid: string };
        spec: { nodeName: string };
      };
      const sandbox = readySandbox(node(object.spec.nodeName), object.metadata.uid);
      if (!sandbox?.record.netns) throw new Error(`pod ${namespace}/${pod} has no ready sandbox`);
      return `/var/run/netns/${sandbox.record.netns}`;
    },
    async stopKubelet(name) {
      const pid = nodeProcessPid(config, node(name), 'kubelet');
      if (pid === undefined) throw new Error(`the kubelet of ${name} is not running`);
      process.kill(pid, 'SIGKILL');
    },
    async removeCniConfig(name) {
      await exec(name, ['rm', '-f', `/etc/cni/net.d/${BRIDGE_CONFLIST}`]);
    },
    async repair() {
      await labUp(options);
    },
    async release() {
      if (owned) await stopE2eLab(handle);
    },
  };
}

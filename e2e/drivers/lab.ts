import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BRIDGE_CONFLIST,
  BRIDGE_NETWORK_NAME,
  KUBERNETES_VERSION,
  type LabOptions,
  LOOM_CONFLIST,
  LOOM_IPAM_DATABASE,
  labDown,
  labExec,
  labKubeConfig,
  labStop,
  labUp,
  type NodeSettings,
  nodeProcessPid,
  planNode,
  RUNTIME_NAME,
  readLabState,
  readySandbox,
  resolveLabConfig,
  runKubectl,
  type UpReport,
} from '@loom-net/lab';
import { commandChecks } from '../command-checks.ts';
import { loomNodeExclusion } from '../daemonset-exclusion.ts';
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
  const settings = (): NodeSettings => {
    const nodes = readLabState(config)?.nodes;
    if (!nodes) throw new Error(`no lab in ${config.stateDir}`);
    return nodes;
  };
  const node = (name: string) => {
    const index = Number(/^node(\d+)$/.exec(name)?.[1]);
    if (!Number.isInteger(index)) throw new Error(`no lab node ${name}`);
    return planNode(config, index, settings());
  };
  const kubectl = async (args: readonly string[], opts: { stdin?: string } = {}) =>
    runKubectl(args, { ...options, capture: true, ...opts });
  const exec = (host: string, command: readonly string[]): Promise<RunResult> =>
    labExec(host, command, { ...options, capture: true, timeoutMs: 60_000 });
  // Loom runs in pods here as anywhere: "its CNI gone from a node" = its DaemonSet kept off it.
  const loomNode = loomNodeExclusion({
    kubectl: (args, opts = {}) =>
      kubectl(args, opts.stdin === undefined ? {} : { stdin: opts.stdin }),
    ...commandChecks('lab driver', 500),
  });
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
      if (settings().cni === 'loom') {
        // loom-ipam's own database, read as its README shows.
        const query = 'select address from allocations';
        const result = await exec(name, ['sqlite3', '-readonly', LOOM_IPAM_DATABASE, query]);
        if (result.exitCode !== 0) throw new Error(`cannot read loom-ipam: ${result.stderr}`);
        return result.stdout.split('\n').filter((line) => line !== '');
      }
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
      const loom = settings().cni === 'loom';
      if (loom) await loomNode.exclude(name);
      await exec(name, ['rm', '-f', `/etc/cni/net.d/${loom ? LOOM_CONFLIST : BRIDGE_CONFLIST}`]);
    },
    async addNode({ remote = false } = {}) {
      const { count, remote: remoteNow } = settings();
      // The lab's remote nodes are its last ones: a local node cannot follow a remote one.
      if (!remote && remoteNow > 0)
        throw new Error('the lab adds local nodes only before remote ones');
      await labUp({ ...options, nodes: count + 1, remoteNodes: remoteNow + (remote ? 1 : 0) });
      return `node${count + 1}`;
    },
    async removeNode(name) {
      const { count, remote } = settings();
      if (name !== `node${count}` || count <= E2E_NODE_COUNT) {
        throw new Error(`only a node added by addNode can go, the last first (node${count})`);
      }
      await labUp({ ...options, nodes: count - 1, remoteNodes: Math.max(0, remote - 1) });
    },
    async stopApiServer() {
      await labStop({ component: 'kube-apiserver' }, options);
    },
    async repair() {
      // Loom's pod back first: lab up waits for every node to be Ready, which needs it.
      await loomNode.restore();
      await labUp(options);
    },
    async release() {
      if (owned) await stopE2eLab(handle);
    },
  };
}

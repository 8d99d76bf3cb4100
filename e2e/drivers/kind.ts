import { KubeConfig } from '@kubernetes/client-node';
import { KUBERNETES_VERSION, LOOM_CONFLIST, LOOM_IPAM_DATABASE } from '@loom-net/lab';
import { loomNodeExclusion } from '../daemonset-exclusion.ts';
import { type Host, realHost } from '../kind/host.ts';
import {
  type KindCluster,
  type KindSettings,
  kindNodeNames,
  kindSettingsFromEnv,
  stopKindCluster,
} from '../kind/kind-cluster.ts';
import { type NodeCommands, nodeCommands } from '../kind/node-commands.ts';
import { podSandboxNetns } from '../kind/pod-sandbox.ts';
import type { ClusterDriver } from './cluster-driver.ts';

/** Where kubeadm's kubelet picks up kube-apiserver's static pod, and where it is parked. */
const APISERVER_MANIFEST = '/etc/kubernetes/manifests/kube-apiserver.yaml';
const APISERVER_PARKED = '/etc/kubernetes/kube-apiserver.yaml.stopped-by-e2e';
/** The Node binary Loom's init container puts beside the CNI plugins on every node. */
const NODE_LOOM_NODE = '/opt/cni/bin/loom-node';
/** loom-ipam's allocated addresses, one a line, read with node:sqlite (kind's nodes have no sqlite3). */
export const READ_ALLOCATIONS =
  "const{DatabaseSync}=require('node:sqlite');" +
  'const db=new DatabaseSync(process.argv[1],{readOnly:true});' +
  "for(const r of db.prepare('select address from allocations').all())console.log(r.address)";

export interface KindDriverOptions {
  host?: Host;
  settings?: KindSettings;
  /** Between two looks at something that takes a while (the API server going, a pod going). */
  pollMs?: number;
}

/**
 * A kind cluster (e2e/kind/cluster.yaml) as an e2e cluster; `owned` = release() deletes it.
 * Nodes are reached with `docker exec`, pods through their network namespace on the node,
 * kubectl is the control-plane node's own; the API server, kubelets and Loom's DaemonSet are
 * stopped and started the way kubeadm and systemd let them be.
 */
export function kindDriver(
  cluster: KindCluster,
  owned: boolean,
  options: KindDriverOptions = {},
): ClusterDriver {
  const host = options.host ?? realHost();
  const commands = nodeCommands(host, cluster.name, options.pollMs ?? 1_000);
  const { onNode, kubectl, must } = commands;
  const nodes = kindNodeNames(cluster.name);
  const apiServer = apiServerSwitch(commands, nodes[0]!);
  const loomNode = loomNodeExclusion(commands);
  return {
    name: 'kind',
    nodes,
    expected: { kubeletVersion: KUBERNETES_VERSION, containerRuntime: /^containerd:\/\// },
    kubeConfig() {
      const config = new KubeConfig();
      config.loadFromFile(cluster.kubeconfig);
      return config;
    },
    kubectl: (args, opts) => kubectl(args, opts),
    async apply(objects) {
      const stdin = objects.map((object) => JSON.stringify(object)).join('\n');
      const result = await kubectl(['apply', '-f', '-'], { stdin });
      if (result.exitCode !== 0) throw new Error(`kubectl apply failed: ${result.stderr}`);
    },
    async exec(target, command) {
      const slash = target.indexOf('/');
      if (slash < 0) return onNode(target, command);
      const pod = await podSandboxNetns(commands, target.slice(0, slash), target.slice(slash + 1));
      return onNode(pod.node, ['nsenter', `--net=${pod.netns}`, '--', ...command]);
    },
    async allocatedPodIps(node) {
      const read = onNode(node, [NODE_LOOM_NODE, '-e', READ_ALLOCATIONS, LOOM_IPAM_DATABASE]);
      const stdout = await must(`read loom-ipam's allocations on ${node}`, read);
      return stdout.split('\n').filter((line) => line !== '');
    },
    async podNetns(namespace, pod) {
      return (await podSandboxNetns(commands, namespace, pod)).netns;
    },
    async stopKubelet(node) {
      // `stop`, not a kill: systemd restarts a killed kubelet (kind's unit has Restart=always).
      await must(`stop the kubelet of ${node}`, onNode(node, ['systemctl', 'stop', 'kubelet']));
    },
    async removeCniConfig(node) {
      await loomNode.exclude(node);
      const conflist = `/etc/cni/net.d/${LOOM_CONFLIST}`;
      await must(`remove the CNI config of ${node}`, onNode(node, ['rm', '-f', conflist]));
    },
    async addNode() {
      throw new Error(
        'the kind driver cannot add nodes: a kind cluster keeps the nodes e2e/kind/cluster.yaml ' +
          'gives it (added-nodes.test.ts runs on the lab; `npm run e2e:kind` leaves it out)',
      );
    },
    async removeNode() {
      throw new Error('the kind driver cannot remove nodes (it cannot add any)');
    },
    stopApiServer: () => apiServer.stop(),
    async repair() {
      await apiServer.start();
      for (const node of nodes) {
        await must(`start the kubelet of ${node}`, onNode(node, ['systemctl', 'start', 'kubelet']));
      }
      await loomNode.restore();
    },
    async release() {
      if (!owned) return;
      const settings = options.settings ?? kindSettingsFromEnv();
      for (const note of await stopKindCluster(host, settings, cluster, { failed: false })) {
        process.stderr.write(`${note}\n`);
      }
    },
  };
}

/**
 * kube-apiserver is a static pod: the kubelet stops it when its manifest leaves
 * /etc/kubernetes/manifests and starts it when the manifest is back. start() is a no-op when
 * it was not stopped, so any spec file's repair() may call it.
 */
function apiServerSwitch(commands: NodeCommands, controlPlane: string) {
  const { onNode, kubectl, must, waitUntil } = commands;
  const ready = async () => (await kubectl(['get', '--raw=/readyz'])).exitCode === 0;
  return {
    async stop(): Promise<void> {
      const park = ['mv', APISERVER_MANIFEST, APISERVER_PARKED];
      await must('park the kube-apiserver manifest', onNode(controlPlane, park));
      await waitUntil('the API server stopping', 120_000, async () => !(await ready()));
    },
    async start(): Promise<void> {
      const restore = `if [ -e ${APISERVER_PARKED} ]; then mv ${APISERVER_PARKED} ${APISERVER_MANIFEST}; fi`;
      await must(
        'put the kube-apiserver manifest back',
        onNode(controlPlane, ['sh', '-c', restore]),
      );
      await waitUntil('the API server being ready', 180_000, ready);
    },
  };
}

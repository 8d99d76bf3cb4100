import { KubeConfig } from '@kubernetes/client-node';
import { KUBERNETES_VERSION, LOOM_CONFLIST, LOOM_IPAM_DATABASE } from '@loom-net/lab';
import { type Host, realHost } from '../kind/host.ts';
import {
  type KindCluster,
  type KindSettings,
  kindNodeNames,
  kindSettingsFromEnv,
  nodeKubectlArgs,
  stopKindCluster,
} from '../kind/kind-cluster.ts';
import type { ClusterDriver, RunResult } from './cluster-driver.ts';

/** Loom's node DaemonSet, as deploy/ names it. */
export const LOOM_NODE_DAEMONSET = { namespace: 'loom-system', name: 'loom-node' };
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

type Affinity = Record<string, unknown> & {
  nodeAffinity?: Record<string, unknown> & {
    requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms: NodeSelectorTerm[] };
  };
};
type NodeSelectorTerm = { matchExpressions?: object[]; matchFields?: object[] };

/**
 * `affinity` with `node` ruled out: every required node selector term also asks for another
 * host name (terms are ORed, so each one needs it).
 */
export function excludeNode(affinity: Affinity | undefined, node: string): Affinity {
  const notThere = { key: 'kubernetes.io/hostname', operator: 'NotIn', values: [node] };
  const terms = affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution
    ?.nodeSelectorTerms ?? [{}];
  return {
    ...affinity,
    nodeAffinity: {
      ...affinity?.nodeAffinity,
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: terms.map((term) => ({
          ...term,
          matchExpressions: [...(term.matchExpressions ?? []), notThere],
        })),
      },
    },
  };
}

/**
 * A kind cluster (e2e/kind/cluster.yaml) as an e2e cluster; `owned` = release() deletes it.
 * Nodes are reached with `docker exec`, pods through their network namespace on the node
 * (found with crictl), kubectl is the control-plane node's own.
 */
export function kindDriver(
  cluster: KindCluster,
  owned: boolean,
  options: KindDriverOptions = {},
): ClusterDriver {
  const host = options.host ?? realHost();
  const settings = options.settings ?? kindSettingsFromEnv();
  const pollMs = options.pollMs ?? 1_000;
  const nodes = kindNodeNames(cluster.name);
  const [controlPlane] = nodes as [string];
  // The DaemonSet's affinity before removeCniConfig ruled a node out; repair puts it back.
  let parkedAffinity: { affinity: Affinity | undefined } | undefined;

  const docker = (args: readonly string[], stdin?: string, timeoutMs = 120_000) =>
    host.run('docker', args, { timeoutMs, ...(stdin === undefined ? {} : { stdin }) });
  const onNode = (node: string, command: readonly string[]) => docker(['exec', node, ...command]);
  const kubectl = (args: readonly string[], opts: { stdin?: string } = {}) =>
    docker(nodeKubectlArgs(cluster.name, args, opts.stdin !== undefined), opts.stdin);
  const must = async (what: string, result: Promise<RunResult>) => {
    const done = await result;
    if (done.exitCode !== 0) throw new Error(`kind driver: cannot ${what}: ${done.stderr.trim()}`);
    return done.stdout;
  };
  const waitUntil = async (what: string, timeoutMs: number, check: () => Promise<boolean>) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline)
        throw new Error(`kind driver: ${what} did not happen in ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  };
  const apiReady = async () => (await kubectl(['get', '--raw=/readyz'])).exitCode === 0;

  async function podOnNode(namespace: string, pod: string) {
    const json = await must(
      `find pod ${namespace}/${pod}`,
      kubectl(['get', 'pod', '-n', namespace, pod, '-o', 'json']),
    );
    const object = JSON.parse(json) as { metadata: { uid: string }; spec: { nodeName?: string } };
    if (!object.spec.nodeName)
      throw new Error(`kind driver: pod ${namespace}/${pod} is not on a node yet`);
    return { uid: object.metadata.uid, node: object.spec.nodeName };
  }

  async function podNetns(namespace: string, pod: string) {
    const { uid, node } = await podOnNode(namespace, pod);
    const label = `io.kubernetes.pod.uid=${uid}`;
    const ids = await must(
      `list the sandbox of ${namespace}/${pod}`,
      onNode(node, ['crictl', 'pods', '--label', label, '--state', 'ready', '-q']),
    );
    const id = ids.split('\n').find((line) => line !== '');
    if (!id)
      throw new Error(`kind driver: pod ${namespace}/${pod} has no ready sandbox on ${node}`);
    const inspect = JSON.parse(
      await must(`inspect sandbox ${id}`, onNode(node, ['crictl', 'inspectp', id])),
    ) as {
      info?: { runtimeSpec?: { linux?: { namespaces?: { type: string; path?: string }[] } } };
    };
    const path = inspect.info?.runtimeSpec?.linux?.namespaces?.find(
      (ns) => ns.type === 'network',
    )?.path;
    if (!path)
      throw new Error(`kind driver: sandbox ${id} of ${namespace}/${pod} has no network namespace`);
    return { node, netns: path };
  }

  async function daemonSetPodsOn(node: string): Promise<string[]> {
    const { namespace, name } = LOOM_NODE_DAEMONSET;
    const json = await must(
      `list ${namespace} pods on ${node}`,
      kubectl([
        'get',
        'pods',
        '-n',
        namespace,
        '--field-selector',
        `spec.nodeName=${node}`,
        '-o',
        'json',
      ]),
    );
    const list = JSON.parse(json) as {
      items: { metadata: { name: string; ownerReferences?: { kind: string; name: string }[] } }[];
    };
    return list.items
      .filter((pod) =>
        pod.metadata.ownerReferences?.some((o) => o.kind === 'DaemonSet' && o.name === name),
      )
      .map((pod) => pod.metadata.name);
  }

  async function setDaemonSetAffinity(affinity: Affinity | undefined) {
    const { namespace, name } = LOOM_NODE_DAEMONSET;
    const path = '/spec/template/spec/affinity';
    const patch =
      affinity === undefined ? [{ op: 'remove', path }] : [{ op: 'add', path, value: affinity }];
    await must(
      `patch DaemonSet ${namespace}/${name}`,
      kubectl([
        'patch',
        'daemonset',
        '-n',
        namespace,
        name,
        '--type=json',
        '-p',
        JSON.stringify(patch),
      ]),
    );
  }

  return {
    name: 'kind',
    nodes,
    expected: { kubeletVersion: KUBERNETES_VERSION, containerRuntime: /^containerd:\/\// },
    kubeConfig() {
      const config = new KubeConfig();
      config.loadFromFile(cluster.kubeconfig);
      return config;
    },
    kubectl,
    async apply(objects) {
      const stdin = objects.map((object) => JSON.stringify(object)).join('\n');
      const result = await kubectl(['apply', '-f', '-'], { stdin });
      if (result.exitCode !== 0) throw new Error(`kubectl apply failed: ${result.stderr}`);
    },
    async exec(target, command) {
      const slash = target.indexOf('/');
      if (slash < 0) return onNode(target, command);
      const { node, netns } = await podNetns(target.slice(0, slash), target.slice(slash + 1));
      return onNode(node, ['nsenter', `--net=${netns}`, '--', ...command]);
    },
    async allocatedPodIps(node) {
      const read = onNode(node, [NODE_LOOM_NODE, '-e', READ_ALLOCATIONS, LOOM_IPAM_DATABASE]);
      const stdout = await must(`read loom-ipam's allocations on ${node}`, read);
      return stdout.split('\n').filter((line) => line !== '');
    },
    async podNetns(namespace, pod) {
      return (await podNetns(namespace, pod)).netns;
    },
    async stopKubelet(node) {
      // `stop`, not a kill: systemd restarts a killed kubelet (kind's unit has Restart=always).
      await must(`stop the kubelet of ${node}`, onNode(node, ['systemctl', 'stop', 'kubelet']));
    },
    async removeCniConfig(node) {
      // As if the node's DaemonSet pod were gone: the DaemonSet is told to leave the node.
      const { namespace, name } = LOOM_NODE_DAEMONSET;
      if (parkedAffinity === undefined) {
        const json = await must(
          `read DaemonSet ${namespace}/${name}`,
          kubectl(['get', 'daemonset', '-n', namespace, name, '-o', 'json']),
        );
        const affinity = (
          JSON.parse(json) as { spec: { template: { spec: { affinity?: Affinity } } } }
        ).spec.template.spec.affinity;
        parkedAffinity = { affinity };
      }
      await setDaemonSetAffinity(excludeNode(parkedAffinity.affinity, node));
      await waitUntil(
        `${name} leaving ${node}`,
        120_000,
        async () => (await daemonSetPodsOn(node)).length === 0,
      );
      await must(
        `remove the CNI config of ${node}`,
        onNode(node, ['rm', '-f', `/etc/cni/net.d/${LOOM_CONFLIST}`]),
      );
    },
    async addNode() {
      throw new Error(
        'the kind driver cannot add nodes: a kind cluster keeps the nodes e2e/kind/cluster.yaml gives it ' +
          '(added-nodes.test.ts runs on the lab; `npm run e2e:kind` leaves it out)',
      );
    },
    async removeNode() {
      throw new Error('the kind driver cannot remove nodes (it cannot add any)');
    },
    async stopApiServer() {
      // The kubelet stops a static pod whose manifest leaves its directory.
      await must(
        'park the kube-apiserver manifest',
        onNode(controlPlane, ['mv', APISERVER_MANIFEST, APISERVER_PARKED]),
      );
      await waitUntil('the API server stopping', 120_000, async () => !(await apiReady()));
    },
    async repair() {
      const restore = `if [ -e ${APISERVER_PARKED} ]; then mv ${APISERVER_PARKED} ${APISERVER_MANIFEST}; fi`;
      await must(
        'put the kube-apiserver manifest back',
        onNode(controlPlane, ['sh', '-c', restore]),
      );
      await waitUntil('the API server being ready', 180_000, apiReady);
      for (const node of nodes) {
        await must(`start the kubelet of ${node}`, onNode(node, ['systemctl', 'start', 'kubelet']));
      }
      if (parkedAffinity !== undefined) {
        await setDaemonSetAffinity(parkedAffinity.affinity);
        parkedAffinity = undefined;
        const { namespace, name } = LOOM_NODE_DAEMONSET;
        const rollout = ['rollout', 'status', 'daemonset', '-n', namespace, name, '--timeout=180s'];
        await must(
          `roll out ${namespace}/${name}`,
          docker(nodeKubectlArgs(cluster.name, rollout), undefined, 200_000),
        );
      }
    },
    async release() {
      if (!owned) return;
      for (const note of await stopKindCluster(host, settings, cluster, { failed: false })) {
        process.stderr.write(`${note}\n`);
      }
    },
  };
}

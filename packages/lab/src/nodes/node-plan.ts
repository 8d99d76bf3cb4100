import { join } from 'node:path';
import type { LabConfig } from '../config/lab-config.ts';
import { nodeIp, nodeName, nodePodCidr } from '../config/network-plan.ts';
import { type NodePlacement, nodeNetns } from '../config/node-settings.ts';

/**
 * The paths a node sees at the standard places, each a bind mount of the same path under the
 * node's tree (`<state>/nodes/nodeN/root/etc/cni/net.d` appears at `/etc/cni/net.d`, …).
 */
export const NODE_MOUNT_PATHS = [
  '/etc/cni/net.d',
  '/opt/cni/bin',
  '/var/lib/cni',
  '/var/lib/kubelet',
  '/var/log/pods',
  '/var/log/containers',
  '/run/loom',
] as const;

/** The runtime's socket, as the node's processes see it (kind's is /run/containerd/…). */
export const RUNTIME_SOCKET_IN_NODE = '/run/loom/lab-runtime.sock';
export const KUBELET_ROOT_IN_NODE = '/var/lib/kubelet';

/** Everything about one node that follows from the lab's config and the node's number. */
export interface NodePlan {
  index: number;
  /** `node1`: the Node object's name and the kubelet's --hostname-override. */
  name: string;
  ip: string;
  /** On the second subnet, behind the router (`--remote-nodes`). */
  remote: boolean;
  /** The classic-topology podCIDR (what `lab` mode gives it). */
  podCidr: string;
  netns: string;
  /** The switch namespace of its subnet. */
  switchNetns: string;
  /** The veth end in the switch namespace, attached to its bridge. */
  switchPort: string;
  /** The lab runtime names this node's pod namespaces `<this><12 hex of the sandbox id>`. */
  podNetnsPrefix: string;
  dir: string;
  /** The tree mounted at the standard paths inside the node's mount namespace. */
  root: string;
  /** The persistent mount namespace (a bind mount of its nsfs file). */
  mountNamespace: string;
  pkiDir: string;
  runtimeStateDir: string;
  /** The runtime's socket seen from the root namespace (the same file as in-node). */
  runtimeSocket: string;
  kubeletConfigFile: string;
  kubeletKubeconfig: string;
}

/**
 * Node `index` of a lab placed as `placement` says (without one: on the first subnet, which is
 * all that matters to callers that only need its names and paths).
 */
export function planNode(config: LabConfig, index: number, placement?: NodePlacement): NodePlan {
  const name = nodeName(index);
  const dir = join(config.paths.nodesDir, name);
  const root = join(dir, 'root');
  const remote = placement !== undefined && index > placement.count - placement.remote;
  return {
    index,
    name,
    ip: nodeIp(index, remote),
    remote,
    podCidr: nodePodCidr(index),
    netns: nodeNetns(config, index),
    switchNetns: remote ? config.netns.remoteSwitch : config.netns.switch,
    switchPort: name,
    podNetnsPrefix: `${config.prefix}${name}-`,
    dir,
    root,
    mountNamespace: join(config.paths.mountNamespaceDir, name),
    pkiDir: join(dir, 'pki'),
    runtimeStateDir: join(dir, 'runtime'),
    runtimeSocket: join(root, RUNTIME_SOCKET_IN_NODE),
    kubeletConfigFile: join(dir, 'kubelet.yaml'),
    kubeletKubeconfig: join(dir, 'kubelet.kubeconfig'),
  };
}

export function planNodes(config: LabConfig, placement: NodePlacement): NodePlan[] {
  return Array.from({ length: placement.count }, (_, i) => planNode(config, i + 1, placement));
}

/** Where a node path lives in the node's tree: `/var/lib/kubelet` → `<root>/var/lib/kubelet`. */
export function nodeTreePath(node: Pick<NodePlan, 'root'>, inNodePath: string): string {
  return join(node.root, inNodePath);
}

import { join } from 'node:path';
import { LabError } from '../errors.ts';
import {
  DEFAULT_NODE_COUNT,
  LAB_CNI_CHOICES,
  type LabCni,
  type LabConfig,
  type LabOptions,
  MAX_NODE_COUNT,
  POD_CIDR_MODES,
  type PodCidrMode,
} from '../lab-config.ts';
import { nodeIp, nodeName, nodePodCidr } from '../network-plan.ts';

/** What the lab's nodes are: how many, where, which CNI they get, who gives them podCIDRs. */
export interface NodeSettings {
  count: number;
  /** The last `remote` nodes are on the second subnet, behind the router. */
  remote: number;
  cni: LabCni;
  podCidrs: PodCidrMode;
}

/** Which of a lab's nodes are remote: enough of the settings to place a node. */
export type NodePlacement = Pick<NodeSettings, 'count' | 'remote'>;

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
    netns: `${config.prefix}${name}`,
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

/**
 * Node settings as a lab.json records them; one written before remote nodes existed has no
 * `remote`, one written before `lab` was the name of that mode says `static`.
 */
export function recordedNodeSettings(recorded: unknown): NodeSettings | undefined {
  if (typeof recorded !== 'object' || recorded === null) return undefined;
  const settings = recorded as Partial<Omit<NodeSettings, 'podCidrs'>> & { podCidrs?: string };
  return {
    count: settings.count ?? 0,
    remote: settings.remote ?? 0,
    cni: settings.cni ?? 'bridge',
    podCidrs: settings.podCidrs === 'static' ? 'lab' : (settings.podCidrs as PodCidrMode),
  };
}

/**
 * The node settings of an `up`: what the caller asked for, else what the lab already has, else
 * the defaults (3 nodes, none remote, Loom's CNI, podCIDRs from the lab).
 */
export function resolveNodeSettings(
  options: Pick<LabOptions, 'nodes' | 'remoteNodes' | 'cni' | 'podCidrs'>,
  current: NodeSettings | undefined,
): NodeSettings {
  const count = options.nodes ?? current?.count ?? DEFAULT_NODE_COUNT;
  if (!Number.isInteger(count) || count < 0 || count > MAX_NODE_COUNT) {
    throw new LabError(
      'LOOM_LAB_BAD_CONFIG',
      `invalid node count "${options.nodes}": expected a whole number from 0 to ${MAX_NODE_COUNT}`,
    );
  }
  const remote = options.remoteNodes ?? Math.min(current?.remote ?? 0, count);
  if (!Number.isInteger(remote) || remote < 0 || remote > count) {
    throw new LabError(
      'LOOM_LAB_BAD_CONFIG',
      `invalid remote node count "${options.remoteNodes}": expected a whole number from 0 to the node count (${count})`,
    );
  }
  const cni = options.cni ?? current?.cni ?? 'loom';
  if (!LAB_CNI_CHOICES.includes(cni)) {
    throw new LabError(
      'LOOM_LAB_BAD_CONFIG',
      `invalid CNI "${cni}": expected one of ${LAB_CNI_CHOICES.join(', ')}`,
    );
  }
  const podCidrs = options.podCidrs ?? current?.podCidrs ?? 'lab';
  if (!POD_CIDR_MODES.includes(podCidrs)) {
    throw new LabError(
      'LOOM_LAB_BAD_CONFIG',
      `invalid pod CIDR mode "${podCidrs}": expected one of ${POD_CIDR_MODES.join(', ')}`,
    );
  }
  return { count, remote, cni, podCidrs };
}

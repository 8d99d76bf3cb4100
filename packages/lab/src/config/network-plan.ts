/**
 * The lab's address plan: the classic example topology (DESIGN.md, "The network model"):
 * the control plane at 192.168.1.10, nodeN at 192.168.1.(10+N) with pods in 10.244.N.0/24.
 */
export const LAB_NETWORK = {
  underlayPrefixLength: 24,
  controlPlaneIp: '192.168.1.10',
  apiServerPort: 6443,
  serviceCidr: '10.96.0.0/12',
  apiServiceIp: '10.96.0.1',
  clusterCidr: '10.244.0.0/16',
  nodeCidrMaskSize: 24,
  clusterDomain: 'cluster.local',
  /** Bridge in the switch namespace, and the veth ends on each side of it. */
  bridgeName: 'br0',
  controlPlanePort: 'cp',
  controlPlaneLink: 'eth0',
  /** Every node's underlay interface; its switch-side peer is named after the node. */
  nodeLink: 'eth0',
  clusterDnsIp: '10.96.0.10',
  kubeletPort: 10250,
  kubeletHealthzPort: 10248,
  /** The underlay every host is on, and where the router joins it. */
  primarySubnet: '192.168.1.0/24',
  routerPrimaryIp: '192.168.1.1',
  /** The second underlay subnet of remote nodes (`--remote-nodes`), behind the router. */
  remoteSubnet: '192.168.2.0/24',
  routerRemoteIp: '192.168.2.1',
  /** The router's links (in its namespace) and its ports on each switch. */
  routerPrimaryLink: 'eth0',
  routerRemoteLink: 'eth1',
  routerPort: 'router',
} as const;

/** `node1`, `node2`, … */
export function nodeName(index: number): string {
  return `node${index}`;
}

/** nodeN's underlay address: 192.168.1.(10+N), or 192.168.2.(10+N) for a remote node. */
export function nodeIp(index: number, remote = false): string {
  return `192.168.${remote ? 2 : 1}.${10 + index}`;
}

/** nodeN's pod CIDR in the classic topology: 10.244.N.0/24. */
export function nodePodCidr(index: number): string {
  return `10.244.${index}.0/24`;
}

export const ETCD_CLIENT_URL = 'http://127.0.0.1:2379';
export const ETCD_PEER_URL = 'http://127.0.0.1:2380';
export const CONTROLLER_MANAGER_HEALTH_PORT = 10257;
export const SCHEDULER_HEALTH_PORT = 10259;

export function apiServerUrl(): string {
  return `https://${LAB_NETWORK.controlPlaneIp}:${LAB_NETWORK.apiServerPort}`;
}

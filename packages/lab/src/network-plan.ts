/**
 * The lab's address plan: the classic example topology (DESIGN.md, "The network model").
 * Nodes (192.168.1.11…) join the same underlay in the next part of the lab.
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
} as const;

export const ETCD_CLIENT_URL = 'http://127.0.0.1:2379';
export const ETCD_PEER_URL = 'http://127.0.0.1:2380';
export const CONTROLLER_MANAGER_HEALTH_PORT = 10257;
export const SCHEDULER_HEALTH_PORT = 10259;

export function apiServerUrl(): string {
  return `https://${LAB_NETWORK.controlPlaneIp}:${LAB_NETWORK.apiServerPort}`;
}

import { LAB_NETWORK } from '../config/network-plan.ts';
import { KUBELET_ROOT_IN_NODE, type NodePlan, RUNTIME_SOCKET_IN_NODE } from './node-plan.ts';

export interface KubeletConfigInput {
  node: Pick<NodePlan, 'ip'>;
  /** The lab CA: it signs the API server's kubelet client certificate. */
  clientCaFile: string;
  tlsCertFile: string;
  tlsPrivateKeyFile: string;
  /** Seconds; the kubelet renews its Lease every quarter of this. */
  nodeLeaseDurationSeconds: number;
}

/**
 * A node's KubeletConfiguration (kubelet.config.k8s.io/v1beta1), as JSON (which the kubelet
 * reads as YAML). What is set and why:
 * - cgroups: this machine has cgroup v1 (hybrid), which the kubelet refuses unless told; with
 *   `cgroupsPerQOS: false` and no node-allocatable enforcement it creates no cgroup at all, and
 *   the lab runtime says `cgroupfs` in RuntimeConfig, so the drivers agree.
 * - swap, local-storage isolation and disk-pressure eviction are off (kind does the same): a
 *   node shares the machine's disk and memory with everything else on it.
 * - serving: on the node's address with a certificate from the lab CA (the API server checks it
 *   with --kubelet-certificate-authority); clients are the API server (x509, lab CA) or bearer
 *   tokens, authorized by SubjectAccessReview, as kubeadm sets it up.
 * - `resolvConf: ""`: pods get the cluster DNS and search path only, never the machine's
 *   resolver, which the island cannot reach.
 */
export function renderKubeletConfig(input: KubeletConfigInput): string {
  const config = {
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    address: input.node.ip,
    port: LAB_NETWORK.kubeletPort,
    readOnlyPort: 0,
    healthzBindAddress: '127.0.0.1',
    healthzPort: LAB_NETWORK.kubeletHealthzPort,
    tlsCertFile: input.tlsCertFile,
    tlsPrivateKeyFile: input.tlsPrivateKeyFile,
    authentication: {
      anonymous: { enabled: false },
      webhook: { enabled: true },
      x509: { clientCAFile: input.clientCaFile },
    },
    authorization: { mode: 'Webhook' },
    containerRuntimeEndpoint: `unix://${RUNTIME_SOCKET_IN_NODE}`,
    clusterDNS: [LAB_NETWORK.clusterDnsIp],
    clusterDomain: LAB_NETWORK.clusterDomain,
    resolvConf: '',
    failCgroupV1: false,
    cgroupDriver: 'cgroupfs',
    cgroupsPerQOS: false,
    enforceNodeAllocatable: [],
    failSwapOn: false,
    localStorageCapacityIsolation: false,
    evictionHard: {
      'nodefs.available': '0%',
      'nodefs.inodesFree': '0%',
      'imagefs.available': '0%',
    },
    imageGCHighThresholdPercent: 100,
    serializeImagePulls: false,
    nodeLeaseDurationSeconds: input.nodeLeaseDurationSeconds,
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

/** The kubelet's command line; everything else is in the config file. */
export function kubeletArgs(
  node: Pick<NodePlan, 'name' | 'ip' | 'kubeletConfigFile' | 'kubeletKubeconfig'>,
): string[] {
  return [
    `--config=${node.kubeletConfigFile}`,
    `--kubeconfig=${node.kubeletKubeconfig}`,
    `--hostname-override=${node.name}`,
    `--node-ip=${node.ip}`,
    `--root-dir=${KUBELET_ROOT_IN_NODE}`,
    `--cert-dir=${KUBELET_ROOT_IN_NODE}/pki`,
  ];
}

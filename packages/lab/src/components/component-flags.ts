import { clusterName } from '../cluster/kubeconfig.ts';
import type { LabConfig, PodCidrMode } from '../config/lab-config.ts';
import {
  CONTROLLER_MANAGER_HEALTH_PORT,
  ETCD_CLIENT_URL,
  ETCD_PEER_URL,
  LAB_NETWORK,
  SCHEDULER_HEALTH_PORT,
} from '../config/network-plan.ts';
import { FRONT_PROXY_CLIENT_CN } from '../pki/certificate-specs.ts';
import { pkiFiles } from '../pki/pki.ts';

/** The service-account issuer the API server signs tokens as (and accepts). */
export const SERVICE_ACCOUNT_ISSUER = `https://kubernetes.default.svc.${LAB_NETWORK.clusterDomain}`;

// etcd listens only on the control plane's loopback: nothing but the API server talks to it,
// so it needs no TLS. Auto-compaction stays off so tests can compact at a revision they pick.
export function etcdFlags(config: LabConfig): string[] {
  return [
    '--name=control-plane',
    `--data-dir=${config.paths.etcdDataDir}`,
    `--listen-client-urls=${ETCD_CLIENT_URL}`,
    `--advertise-client-urls=${ETCD_CLIENT_URL}`,
    `--listen-peer-urls=${ETCD_PEER_URL}`,
    `--initial-advertise-peer-urls=${ETCD_PEER_URL}`,
    `--initial-cluster=control-plane=${ETCD_PEER_URL}`,
    '--initial-cluster-state=new',
    '--log-level=warn',
  ];
}

export function apiServerFlags(config: LabConfig): string[] {
  const pki = pkiFiles(config.paths.pkiDir);
  return [
    // Not a loopback address: the endpoint reconciler refuses one ("cannot use public IP").
    `--advertise-address=${LAB_NETWORK.controlPlaneIp}`,
    `--bind-address=${LAB_NETWORK.controlPlaneIp}`,
    `--secure-port=${LAB_NETWORK.apiServerPort}`,
    `--etcd-servers=${ETCD_CLIENT_URL}`,
    `--service-cluster-ip-range=${LAB_NETWORK.serviceCidr}`,
    `--client-ca-file=${pki.ca.cert}`,
    `--tls-cert-file=${pki.apiServer.cert}`,
    `--tls-private-key-file=${pki.apiServer.key}`,
    `--kubelet-client-certificate=${pki.apiServerKubeletClient.cert}`,
    `--kubelet-client-key=${pki.apiServerKubeletClient.key}`,
    // Kubelets serve with certificates from the lab CA naming their address: check them.
    `--kubelet-certificate-authority=${pki.ca.cert}`,
    // Node names do not resolve inside the island (the machine's resolver is out of reach).
    '--kubelet-preferred-address-types=InternalIP',
    `--service-account-issuer=${SERVICE_ACCOUNT_ISSUER}`,
    `--service-account-key-file=${pki.serviceAccountPub}`,
    `--service-account-signing-key-file=${pki.serviceAccountKey}`,
    `--requestheader-client-ca-file=${pki.frontProxyCa.cert}`,
    `--requestheader-allowed-names=${FRONT_PROXY_CLIENT_CN}`,
    '--requestheader-username-headers=X-Remote-User',
    '--requestheader-group-headers=X-Remote-Group',
    '--requestheader-extra-headers-prefix=X-Remote-Extra-',
    `--proxy-client-cert-file=${pki.frontProxyClient.cert}`,
    `--proxy-client-key-file=${pki.frontProxyClient.key}`,
    '--authorization-mode=Node,RBAC',
    '--enable-admission-plugins=NodeRestriction',
    '--allow-privileged=true',
    // On SIGTERM, end open watches (the controller manager's, the scheduler's) instead of
    // waiting up to 60 s for them to finish: a restart in the lab takes ~1 s, not a minute.
    '--shutdown-watch-termination-grace-period=1s',
    ...config.apiServerArgs,
  ];
}

/** `podCidrs`: who allocates Node podCIDRs; only for `controller-manager` does its node IPAM. */
export function controllerManagerFlags(config: LabConfig, podCidrs: PodCidrMode = 'lab'): string[] {
  const pki = pkiFiles(config.paths.pkiDir);
  const kubeconfig = config.paths.controllerManagerKubeconfig;
  return [
    `--kubeconfig=${kubeconfig}`,
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    '--bind-address=127.0.0.1',
    `--secure-port=${CONTROLLER_MANAGER_HEALTH_PORT}`,
    `--cluster-name=${clusterName(config)}`,
    // With podCIDRs set by the lab (before the kubelet registers) the allocator only records
    // them; with Loom's allocator it must stay out of the way.
    `--allocate-node-cidrs=${podCidrs !== 'loom'}`,
    `--cluster-cidr=${LAB_NETWORK.clusterCidr}`,
    `--node-cidr-mask-size=${LAB_NETWORK.nodeCidrMaskSize}`,
    `--service-cluster-ip-range=${LAB_NETWORK.serviceCidr}`,
    `--cluster-signing-cert-file=${pki.ca.cert}`,
    `--cluster-signing-key-file=${pki.ca.key}`,
    `--root-ca-file=${pki.ca.cert}`,
    `--service-account-private-key-file=${pki.serviceAccountKey}`,
    '--use-service-account-credentials=true',
    // The default set (EndpointSlice, Deployment/ReplicaSet, DaemonSet, namespace,
    // service-account token, node IPAM, …) plus the token signers kubeadm also turns on.
    '--controllers=*,bootstrapsigner,tokencleaner',
    // One instance: leader election would only delay a restarted one by a lease period.
    '--leader-elect=false',
    // A node whose kubelet stops renewing its Lease (every 5 s in the lab) is NotReady after
    // 20 s rather than the default 50 s: the lab's own failure tests wait for it.
    '--node-monitor-grace-period=20s',
    '--node-monitor-period=2s',
  ];
}

export function schedulerFlags(config: LabConfig): string[] {
  const kubeconfig = config.paths.schedulerKubeconfig;
  return [
    `--kubeconfig=${kubeconfig}`,
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    '--bind-address=127.0.0.1',
    `--secure-port=${SCHEDULER_HEALTH_PORT}`,
    '--leader-elect=false',
  ];
}

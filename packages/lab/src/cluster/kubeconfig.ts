import type { LabConfig } from '../config/lab-config.ts';

export interface KubeconfigInput {
  clusterName: string;
  server: string;
  userName: string;
  caPem: string;
  certPem: string;
  keyPem: string;
}

const b64 = (pem: string) => Buffer.from(pem).toString('base64');

/**
 * A kubeconfig with one cluster, one user (client certificate) and one current context,
 * everything embedded so the file works wherever it is copied. Only base64 and names the
 * lab chooses are interpolated, so no YAML quoting is needed beyond the server URL.
 */
export function renderKubeconfig(input: KubeconfigInput): string {
  return `apiVersion: v1
kind: Config
clusters:
- name: ${input.clusterName}
  cluster:
    server: '${input.server}'
    certificate-authority-data: ${b64(input.caPem)}
users:
- name: ${input.userName}
  user:
    client-certificate-data: ${b64(input.certPem)}
    client-key-data: ${b64(input.keyPem)}
contexts:
- name: ${input.userName}@${input.clusterName}
  context:
    cluster: ${input.clusterName}
    user: ${input.userName}
current-context: ${input.userName}@${input.clusterName}
preferences: {}
`;
}

/** The lab's cluster name: in every kubeconfig it writes and kube-controller-manager's --cluster-name. */
export function clusterName(config: Pick<LabConfig, 'prefix'>): string {
  return `${config.prefix}lab`;
}

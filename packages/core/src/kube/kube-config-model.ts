/**
 * A kubeconfig in memory, with kubectl's fields in camelCase. Paths are absolute (relative ones
 * were resolved against the directory of the file that held them); `*Data` fields are base64,
 * as in the file, and were checked to decode when the file was read.
 */
export interface KubeCluster {
  readonly name: string;
  readonly server: string;
  readonly caData?: string | undefined;
  readonly caFile?: string | undefined;
  readonly skipTLSVerify?: boolean | undefined;
  /** Expected name in the server's certificate (SNI), when it differs from the URL's host. */
  readonly tlsServerName?: string | undefined;
}

export interface KubeExecEnvVar {
  readonly name: string;
  readonly value: string;
}

/** A `client.authentication.k8s.io` credential plugin (kind, EKS, GKE, AKS, OIDC helpers). */
export interface KubeExecConfig {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: readonly KubeExecEnvVar[];
  readonly apiVersion: string;
  readonly provideClusterInfo: boolean;
  readonly installHint?: string | undefined;
}

export interface KubeUser {
  readonly name: string;
  readonly token?: string | undefined;
  /** Re-read when it changes: the kubelet rotates projected service-account tokens. */
  readonly tokenFile?: string | undefined;
  readonly certData?: string | undefined;
  readonly certFile?: string | undefined;
  readonly keyData?: string | undefined;
  readonly keyFile?: string | undefined;
  readonly username?: string | undefined;
  readonly password?: string | undefined;
  readonly exec?: KubeExecConfig | undefined;
}

export interface KubeContext {
  readonly name: string;
  readonly cluster: string;
  readonly user?: string | undefined;
  readonly namespace?: string | undefined;
}

export interface KubeConfigOptions {
  readonly clusters: readonly KubeCluster[];
  readonly users: readonly KubeUser[];
  readonly contexts: readonly KubeContext[];
  readonly currentContext?: string | undefined;
}

import { createKubeClient, type KubeClient, loadKubeConfig } from '@loom-net/core';

export interface ClusterConnectionOptions {
  /** `--kubeconfig`; default KUBECONFIG, in-cluster, `~/.kube/config` (core's order). */
  readonly kubeconfig?: string;
  /** `--context`; default the kubeconfig's current-context. */
  readonly context?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** An already-open client (the lab, tests); the other fields are then ignored. */
  readonly client?: KubeClient;
}

export interface ClusterConnection {
  readonly client: KubeClient;
  /** The API server URL the kubeconfig names (`https://127.0.0.1:36443`). */
  readonly server: string;
  /** Closes the client if this connection opened it. */
  close(): void;
}

export function connectCluster(options: ClusterConnectionOptions): ClusterConnection {
  if (options.client) return { client: options.client, server: options.client.server, close() {} };
  const kubeConfig = loadKubeConfig({
    ...(options.kubeconfig ? { path: options.kubeconfig } : {}),
    ...(options.context ? { context: options.context } : {}),
    ...(options.env ? { env: options.env } : {}),
  });
  const client = createKubeClient(kubeConfig, { userAgent: 'loom-cli/0.1' });
  return { client, server: client.server, close: () => client.close() };
}

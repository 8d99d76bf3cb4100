import {
  createKubeClient,
  isKubeApiError,
  type KubeClient,
  KubeConnectionError,
  loadKubeConfig,
} from '@loom-net/core';

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

/** The API server cannot be reached, or refuses the kubeconfig's credentials. */
export class ClusterUnreachableError extends Error {
  readonly code = 'LOOM_CLUSTER_UNREACHABLE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ClusterUnreachableError';
  }
}

/**
 * Asks the API server for its version, turning the two ways a first request fails into one
 * sentence each: nothing answers (address, port, TLS), or the credentials are refused.
 * Returns the server's version (`v1.35.0`).
 */
export async function checkReachable(client: KubeClient): Promise<string> {
  try {
    const version = await client.request<{ gitVersion?: string }>({
      path: '/version',
      timeoutMs: 10_000,
    });
    return version.gitVersion ?? 'unknown';
  } catch (error) {
    if (error instanceof KubeConnectionError) {
      const why = error.cause instanceof Error ? error.cause.message : error.message;
      throw new ClusterUnreachableError(`cannot reach the API server at ${client.server}: ${why}`, {
        cause: error,
      });
    }
    if (isKubeApiError(error, 401) || isKubeApiError(error, 403)) {
      throw new ClusterUnreachableError(
        `the API server at ${client.server} refuses the kubeconfig's credentials (${error.status} ${error.reason ?? ''})`.trimEnd(),
        { cause: error },
      );
    }
    throw error;
  }
}

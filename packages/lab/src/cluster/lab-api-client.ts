import { createKubeClient, type KubeClient, loadKubeConfig } from '@loom-net/core';
import type { LabConfig } from '../config/lab-config.ts';

/** An admin client of the lab's API server from the root namespace (through the bridge). */
export function labApiClient(config: LabConfig): KubeClient {
  const kubeConfig = loadKubeConfig({ path: config.paths.hostKubeconfig });
  return createKubeClient(kubeConfig, { userAgent: 'loom-lab', requestTimeoutMs: 15_000 });
}

/** Runs `use` with a client that is closed afterwards (its keep-alive pool would hold the process). */
export async function withLabApiClient<T>(
  config: LabConfig,
  use: (client: KubeClient) => Promise<T>,
): Promise<T> {
  const client = labApiClient(config);
  try {
    return await use(client);
  } finally {
    client.close();
  }
}

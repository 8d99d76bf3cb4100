import { isKubeApiError, type KubeClient } from '@loom-net/core';
import { LabError } from '../errors.ts';

/**
 * Waits for the `default` ServiceAccount of namespace `default`: until the controller manager
 * has made it, every pod created there is refused ("serviceaccount default not found"), so a
 * lab that says "up" must have it.
 */
export async function waitDefaultServiceAccount(
  client: KubeClient,
  timeoutMs = 60_000,
): Promise<void> {
  const path = '/api/v1/namespaces/default/serviceaccounts/default';
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      await client.request({ path, timeoutMs: 5_000 });
      return;
    } catch (error) {
      if (!isKubeApiError(error, 404)) last = error;
    }
    if (Date.now() > deadline) {
      throw new LabError(
        'LOOM_LAB_COMPONENT_NOT_READY',
        `the default ServiceAccount did not appear within ${timeoutMs / 1000}s (is kube-controller-manager running?)${last ? `: ${(last as Error).message}` : ''}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

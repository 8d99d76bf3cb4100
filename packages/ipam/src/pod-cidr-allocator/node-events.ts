import type { KubeClient, KubeLogger } from '@loom-net/core';
import type { NodeObject } from './node-cidrs.ts';

export const ALLOCATOR_COMPONENT = 'loom-pod-cidr-allocator';

/**
 * Records a core/v1 Event on a Node, as kube-controller-manager does for CIDR allocation
 * (reason `CIDRNotAvailable`, `CIDRAssignmentFailed`). Node events live in `default`, where
 * `kubectl describe node` finds them. A failure to record is logged, never fatal.
 */
export async function recordNodeEvent(
  client: KubeClient,
  logger: KubeLogger,
  node: NodeObject,
  event: { type: 'Normal' | 'Warning'; reason: string; message: string },
): Promise<void> {
  const name = node.metadata?.name ?? '';
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const body = {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { generateName: `${name}.`, namespace: 'default' },
    involvedObject: { apiVersion: 'v1', kind: 'Node', name, uid: node.metadata?.uid },
    reason: event.reason,
    message: event.message,
    type: event.type,
    source: { component: ALLOCATOR_COMPONENT },
    firstTimestamp: now,
    lastTimestamp: now,
    count: 1,
  };
  try {
    await client.request({ method: 'POST', path: '/api/v1/namespaces/default/events', body });
  } catch (err) {
    logger.warn({ err, node: name, reason: event.reason }, 'cannot record event');
  }
}

import type { KubeObject } from './kube-object.ts';

/**
 * The object without `metadata.managedFields`: server-side apply's bookkeeping, often the
 * largest part of an object (a Node's lists every field the kubelet, the controller manager
 * and each agent own), which no Loom daemon reads. client-go's informers drop it the same way
 * (`TransformStripManagedFields`). An update sent without it leaves the server's copy as is.
 */
export function withoutManagedFields<T extends KubeObject>(obj: T): T {
  const metadata = obj.metadata as
    | (KubeObject['metadata'] & { managedFields?: unknown })
    | undefined;
  if (metadata?.managedFields === undefined) return obj;
  const { managedFields: _dropped, ...rest } = metadata;
  return { ...obj, metadata: rest };
}

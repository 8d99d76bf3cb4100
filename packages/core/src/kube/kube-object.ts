/** The part of every Kubernetes object the client layer relies on. Structural, so an object
 * read from the API server, a fixture or a typed client's model fits. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
}

/** The `metadata` fields Loom reads; the API server sends more, which stay in the object. */
export interface ObjectMeta {
  name?: string;
  namespace?: string;
  resourceVersion?: string;
  uid?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** Set once a delete is requested and finalizers still hold the object. */
  deletionTimestamp?: string;
}

/** The cache key client-go uses (`MetaNamespaceKeyFunc`): `namespace/name`, or `name` for
 * cluster-scoped objects. */
export function objectKey(obj: KubeObject): string {
  const name = obj.metadata?.name ?? '';
  const namespace = obj.metadata?.namespace;
  return namespace ? `${namespace}/${name}` : name;
}

/** Inverse of {@link objectKey}. */
export function splitObjectKey(key: string): { namespace?: string; name: string } {
  const slash = key.indexOf('/');
  if (slash < 0) return { name: key };
  return { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

/** A Kubernetes `Status`, the body of every API error and of an in-stream watch ERROR. */
export interface KubeStatus {
  kind?: 'Status';
  apiVersion?: string;
  status?: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  code?: number;
  details?: unknown;
}

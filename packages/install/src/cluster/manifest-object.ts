import type { KubeObject, ObjectMeta } from '@loom-net/core';

/** An object from a manifest or the API server: the typed header, and the rest as data. */
export interface ManifestObject extends KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta & { name: string };
  [field: string]: unknown;
}

/** The labels every object of Loom's carries (deploy/, shared contract). */
export const PART_OF_LABEL = 'app.kubernetes.io/part-of';
export const COMPONENT_LABEL = 'app.kubernetes.io/component';
export const VERSION_LABEL = 'app.kubernetes.io/version';
export const LOOM_SELECTOR = `${PART_OF_LABEL}=loom`;
export const LOOM_NAMESPACE = 'loom-system';
export const LOOM_CONFIG = 'loom-config';

/** `DaemonSet loom-system/loom-node`, `Namespace loom-system`. */
export function describeObject(object: KubeObject): string {
  const { namespace, name } = object.metadata ?? {};
  return `${object.kind ?? '?'} ${namespace ? `${namespace}/` : ''}${name ?? '?'}`;
}

export function componentOf(object: KubeObject): string | undefined {
  return object.metadata?.labels?.[COMPONENT_LABEL];
}

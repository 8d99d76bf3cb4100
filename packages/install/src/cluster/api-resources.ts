import { type ResourceRef, resourcePath } from '@loom-net/core';

/** Where a kind lives in the API and whether its objects belong to a namespace. */
export interface ApiResource {
  readonly kind: string;
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly namespaced: boolean;
}

/**
 * The kinds Loom's manifests use, in the order they are applied: what others reference comes
 * first (the Namespace holds everything, CRDs before their objects, ServiceAccounts and RBAC
 * before the pods that run as them, the ConfigMap before the pods that read it), the
 * workloads last. Helm's install order, cut to Loom's kinds. Uninstall walks it backwards,
 * except that workloads go first (see uninstall-loom.ts).
 */
export const API_RESOURCES: readonly ApiResource[] = [
  { kind: 'Namespace', group: '', version: 'v1', plural: 'namespaces', namespaced: false },
  {
    kind: 'CustomResourceDefinition',
    group: 'apiextensions.k8s.io',
    version: 'v1',
    plural: 'customresourcedefinitions',
    namespaced: false,
  },
  {
    kind: 'PriorityClass',
    group: 'scheduling.k8s.io',
    version: 'v1',
    plural: 'priorityclasses',
    namespaced: false,
  },
  { kind: 'ServiceAccount', group: '', version: 'v1', plural: 'serviceaccounts', namespaced: true },
  {
    kind: 'ClusterRole',
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    plural: 'clusterroles',
    namespaced: false,
  },
  {
    kind: 'Role',
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    plural: 'roles',
    namespaced: true,
  },
  {
    kind: 'ClusterRoleBinding',
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    plural: 'clusterrolebindings',
    namespaced: false,
  },
  {
    kind: 'RoleBinding',
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    plural: 'rolebindings',
    namespaced: true,
  },
  { kind: 'ConfigMap', group: '', version: 'v1', plural: 'configmaps', namespaced: true },
  { kind: 'Secret', group: '', version: 'v1', plural: 'secrets', namespaced: true },
  { kind: 'Service', group: '', version: 'v1', plural: 'services', namespaced: true },
  { kind: 'DaemonSet', group: 'apps', version: 'v1', plural: 'daemonsets', namespaced: true },
  { kind: 'Deployment', group: 'apps', version: 'v1', plural: 'deployments', namespaced: true },
];

export const WORKLOAD_KINDS: ReadonlySet<string> = new Set(['DaemonSet', 'Deployment']);

/** A manifest names a kind Loom does not know how to apply or delete. */
export class UnknownKindError extends Error {
  readonly code = 'LOOM_UNKNOWN_KIND';
  constructor(apiVersion: string | undefined, kind: string | undefined, where: string) {
    const known = API_RESOURCES.map((r) => r.kind).join(', ');
    super(`cannot apply ${apiVersion ?? '?'}/${kind ?? '?'} (${where}): loom knows ${known}`);
    this.name = 'UnknownKindError';
  }
}

export function resourceOf(kind: string | undefined): ApiResource | undefined {
  return API_RESOURCES.find((resource) => resource.kind === kind);
}

/** The position of a kind in {@link API_RESOURCES}; unknown kinds sort last. */
export function applyRank(kind: string | undefined): number {
  const index = API_RESOURCES.findIndex((resource) => resource.kind === kind);
  return index < 0 ? API_RESOURCES.length : index;
}

/** `apps/v1` for `{group: 'apps', version: 'v1'}`, `v1` for the core group. */
export function apiVersionOf(resource: ApiResource): string {
  return resource.group ? `${resource.group}/${resource.version}` : resource.version;
}

/** The URL of one object (`name`) or of a collection, in a namespace when the kind has one. */
export function objectPath(resource: ApiResource, namespace?: string, name?: string): string {
  const ref: ResourceRef = {
    version: resource.version,
    plural: resource.plural,
    ...(resource.group ? { group: resource.group } : {}),
    ...(resource.namespaced && namespace ? { namespace } : {}),
    ...(name ? { name } : {}),
  };
  return resourcePath(ref);
}

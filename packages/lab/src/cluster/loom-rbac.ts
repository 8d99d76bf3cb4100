import { isKubeApiError, type KubeClient } from '@loom-net/core';
import { LabError } from '../errors.ts';

interface ApiObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  [key: string]: unknown;
}

const RBAC = 'rbac.authorization.k8s.io/v1';
const NAMESPACE = 'kube-system';

const serviceAccount = (name: string): ApiObject => ({
  apiVersion: 'v1',
  kind: 'ServiceAccount',
  metadata: { name, namespace: NAMESPACE },
});

function binding(kind: 'ClusterRoleBinding' | 'RoleBinding', name: string, account: string) {
  return {
    apiVersion: RBAC,
    kind,
    metadata: { name, ...(kind === 'RoleBinding' ? { namespace: NAMESPACE } : {}) },
    roleRef: {
      apiGroup: 'rbac.authorization.k8s.io',
      kind: kind === 'RoleBinding' ? 'Role' : 'ClusterRole',
      name,
    },
    subjects: [{ kind: 'ServiceAccount', name: account, namespace: NAMESPACE }],
  };
}

/**
 * What Loom's daemons may do, as their installer will grant it: the route agent only reads
 * Nodes; the podCIDR allocator writes their `spec.podCIDRs`, records Node events and holds its
 * leader-election Lease in kube-system. The lab's client certificates carry the ServiceAccount
 * user names, so these bindings apply to them as they will to the pods' tokens.
 */
export function loomRbacObjects(): ApiObject[] {
  return [
    serviceAccount('loom-route-agent'),
    {
      apiVersion: RBAC,
      kind: 'ClusterRole',
      metadata: { name: 'loom:route-agent' },
      rules: [{ apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list', 'watch'] }],
    },
    binding('ClusterRoleBinding', 'loom:route-agent', 'loom-route-agent'),
    serviceAccount('loom-pod-cidr-allocator'),
    {
      apiVersion: RBAC,
      kind: 'ClusterRole',
      metadata: { name: 'loom:pod-cidr-allocator' },
      rules: [
        {
          apiGroups: [''],
          resources: ['nodes'],
          verbs: ['get', 'list', 'watch', 'update', 'patch'],
        },
        { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
      ],
    },
    binding('ClusterRoleBinding', 'loom:pod-cidr-allocator', 'loom-pod-cidr-allocator'),
    {
      apiVersion: RBAC,
      kind: 'Role',
      metadata: { name: 'loom:pod-cidr-allocator', namespace: NAMESPACE },
      rules: [
        {
          apiGroups: ['coordination.k8s.io'],
          resources: ['leases'],
          verbs: ['get', 'create', 'update'],
        },
      ],
    },
    binding('RoleBinding', 'loom:pod-cidr-allocator', 'loom-pod-cidr-allocator'),
  ];
}

const PLURALS: Record<string, string> = {
  ServiceAccount: 'serviceaccounts',
  ClusterRole: 'clusterroles',
  ClusterRoleBinding: 'clusterrolebindings',
  Role: 'roles',
  RoleBinding: 'rolebindings',
};

/** `/api/v1/namespaces/kube-system/serviceaccounts`, `/apis/rbac…/v1/clusterroles`, … */
export function collectionPath(object: ApiObject): string {
  const group = object.apiVersion === 'v1' ? '/api/v1' : `/apis/${object.apiVersion}`;
  const scope = object.metadata.namespace ? `/namespaces/${object.metadata.namespace}` : '';
  return `${group}${scope}/${PLURALS[object.kind]}`;
}

/** Creates each object, or replaces it when it exists (both kinds allow unconditional updates). */
export async function ensureLoomRbac(client: KubeClient): Promise<void> {
  for (const object of loomRbacObjects()) {
    const collection = collectionPath(object);
    try {
      try {
        await client.request({ method: 'POST', path: collection, body: object });
      } catch (error) {
        if (!isKubeApiError(error, 409)) throw error;
        if (object.kind === 'ServiceAccount') continue; // keep its token settings as they are
        const path = `${collection}/${encodeURIComponent(object.metadata.name)}`;
        await client.request({ method: 'PUT', path, body: object });
      }
    } catch (error) {
      throw new LabError(
        'LOOM_LAB_RBAC_FAILED',
        `cannot create the ${object.kind} ${object.metadata.name} for Loom's daemons: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }
}

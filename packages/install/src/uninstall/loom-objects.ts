import type { KubeClient } from '@loom-net/core';
import { API_RESOURCES, apiVersionOf, objectPath } from '../cluster/api-resources.ts';
import { listOptional } from '../cluster/kube-calls.ts';
import { LOOM_SELECTOR, type ManifestObject } from '../cluster/manifest-object.ts';

/**
 * Every object labelled `app.kubernetes.io/part-of=loom`, of every kind Loom applies, in
 * every namespace, in apply order. Lists leave out each item's kind, so it is put back.
 */
export async function findLoomObjects(client: KubeClient): Promise<ManifestObject[]> {
  const lists = await Promise.all(
    API_RESOURCES.map(async (resource) => {
      const items = await listOptional<ManifestObject>(client, objectPath(resource), {
        labelSelector: LOOM_SELECTOR,
      });
      return (items ?? []).map((item) => ({
        ...item,
        apiVersion: apiVersionOf(resource),
        kind: resource.kind,
      }));
    }),
  );
  return lists.flat();
}

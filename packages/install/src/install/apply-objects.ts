import type { KubeClient } from '@loom-net/core';
import { objectPath, resourceOf } from '../cluster/api-resources.ts';
import { applyObject, getOptional } from '../cluster/kube-calls.ts';
import { describeObject, type ManifestObject } from '../cluster/manifest-object.ts';

/** `skipped`: a server dry run cannot check an object whose namespace the install creates. */
export type ApplyOutcome = 'created' | 'configured' | 'unchanged' | 'validated' | 'skipped';

export interface AppliedObject {
  readonly object: string;
  readonly outcome: ApplyOutcome;
  /** Why it was skipped. */
  readonly why?: string;
}

/**
 * Applies `objects` one by one, in the given order (see orderForApply). Each outcome comes
 * from the resourceVersion before and after: an apply that changes nothing leaves it as it
 * was. With `dryRun` the server validates each object (`validated`) and stores nothing.
 */
export async function applyObjects(
  client: KubeClient,
  objects: readonly ManifestObject[],
  options: { dryRun?: boolean; onApplied?: (applied: AppliedObject) => void } = {},
): Promise<AppliedObject[]> {
  const results: AppliedObject[] = [];
  const namespaces = new Map<string, boolean>();
  const namespaceExists = async (name: string) => {
    if (!namespaces.has(name)) {
      namespaces.set(name, (await getOptional(client, `/api/v1/namespaces/${name}`)) !== undefined);
    }
    return namespaces.get(name) === true;
  };
  for (const object of objects) {
    const resource = resourceOf(object.kind);
    const namespace = resource?.namespaced ? object.metadata.namespace : undefined;
    if (options.dryRun && namespace && !(await namespaceExists(namespace))) {
      const skipped = {
        object: describeObject(object),
        outcome: 'skipped' as const,
        why: `namespace ${namespace} does not exist yet; the install creates it`,
      };
      results.push(skipped);
      options.onApplied?.(skipped);
      continue;
    }
    const path = resource && objectPath(resource, object.metadata.namespace, object.metadata.name);
    const before = path ? await getOptional<ManifestObject>(client, path) : undefined;
    const after = await applyObject(client, object, { dryRun: options.dryRun ?? false });
    const outcome: ApplyOutcome = options.dryRun
      ? 'validated'
      : before === undefined
        ? 'created'
        : before.metadata.resourceVersion === after.metadata.resourceVersion
          ? 'unchanged'
          : 'configured';
    const applied = { object: describeObject(object), outcome };
    results.push(applied);
    options.onApplied?.(applied);
  }
  return results;
}

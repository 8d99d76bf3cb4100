import type { KubeClient } from '@loom-net/core';
import { objectPath, resourceOf } from '../cluster/api-resources.ts';
import { applyObject, getOptional } from '../cluster/kube-calls.ts';
import { describeObject, type ManifestObject } from '../cluster/manifest-object.ts';

export type ApplyOutcome = 'created' | 'configured' | 'unchanged' | 'validated';

export interface AppliedObject {
  readonly object: string;
  readonly outcome: ApplyOutcome;
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
  for (const object of objects) {
    const resource = resourceOf(object.kind);
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

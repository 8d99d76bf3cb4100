import { describeObject, type ManifestObject } from '../cluster/manifest-object.ts';

/** A DaemonSet's or Deployment's rollout as `loom install` and `loom status` print it. */
export interface WorkloadRollout {
  readonly object: string;
  readonly kind: 'DaemonSet' | 'Deployment';
  readonly name: string;
  readonly namespace: string;
  readonly desired: number;
  readonly updated: number;
  readonly ready: number;
  readonly available: number;
  /** The controller has seen the latest spec (status.observedGeneration ≥ generation). */
  readonly observed: boolean;
  /** kubectl rollout status's "successfully rolled out". */
  readonly done: boolean;
}

interface WorkloadObject extends ManifestObject {
  metadata: ManifestObject['metadata'] & { generation?: number };
  spec?: { replicas?: number };
  status?: {
    observedGeneration?: number;
    desiredNumberScheduled?: number;
    updatedNumberScheduled?: number;
    numberReady?: number;
    numberAvailable?: number;
    replicas?: number;
    updatedReplicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
  };
}

/**
 * The rollout of one workload, by kubectl's rules: the controller observed the current
 * generation, every pod runs the current template, and all are available (a Deployment also
 * has no old replica left).
 */
export function workloadRollout(object: ManifestObject): WorkloadRollout {
  const w = object as WorkloadObject;
  const status = w.status ?? {};
  const observed = (status.observedGeneration ?? 0) >= (w.metadata.generation ?? 1);
  const base = {
    object: describeObject(object),
    name: w.metadata.name,
    namespace: w.metadata.namespace ?? '',
    observed,
  };
  if (w.kind === 'DaemonSet') {
    const desired = status.desiredNumberScheduled ?? 0;
    const updated = status.updatedNumberScheduled ?? 0;
    const available = status.numberAvailable ?? 0;
    return {
      ...base,
      kind: 'DaemonSet',
      desired,
      updated,
      ready: status.numberReady ?? 0,
      available,
      done: observed && updated === desired && available === desired,
    };
  }
  const desired = w.spec?.replicas ?? 1;
  const updated = status.updatedReplicas ?? 0;
  const available = status.availableReplicas ?? 0;
  return {
    ...base,
    kind: 'Deployment',
    desired,
    updated,
    ready: status.readyReplicas ?? 0,
    available,
    done:
      observed &&
      updated === desired &&
      (status.replicas ?? 0) === updated &&
      available === updated,
  };
}

/** `DaemonSet loom-system/loom-node: 2/3 ready, 3/3 updated, 2 available`. */
export function formatRollout(rollout: WorkloadRollout): string {
  const counts = `${rollout.ready}/${rollout.desired} ready, ${rollout.updated}/${rollout.desired} updated, ${rollout.available} available`;
  const state = rollout.done
    ? ' (rolled out)'
    : rollout.observed
      ? ''
      : ' (waiting for the controller)';
  return `${rollout.object}: ${counts}${state}`;
}

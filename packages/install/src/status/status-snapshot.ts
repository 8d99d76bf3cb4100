import type { Node } from '@loom-net/core';
import type { ManifestObject } from '../cluster/manifest-object.ts';
import type { PodObject } from '../cluster/pod-object.ts';

/** Everything `loom status` reads, gathered once; the table is built from it by pure code. */
export interface StatusSnapshot {
  readonly workloads: readonly ManifestObject[];
  /** Pods in loom-system. */
  readonly pods: readonly PodObject[];
  readonly nodes: readonly Node[];
  readonly config?: Record<string, string>;
  /** Per loom-node pod name: its agent's routing mode from /metrics, or why it is unknown. */
  readonly modes: ReadonlyMap<string, string>;
}

import type { KubeClient } from './kube-client.ts';
import { type KubeLogger, silentKubeLogger } from './kube-logger.ts';
import type { KubeObject } from './kube-object.ts';
import { resourcePath } from './resource-path.ts';

/** The object an Event is about (core/v1 `ObjectReference`). */
export interface ObjectReference {
  kind: string;
  apiVersion: string;
  name: string;
  namespace?: string;
  uid?: string;
}

export interface EventRecord {
  type: 'Normal' | 'Warning';
  /** UpperCamelCase, stable, what `kubectl get events` filters on: `CIDRNotAvailable`. */
  reason: string;
  message: string;
}

export interface EventRecorderOptions {
  client: KubeClient;
  /** `source.component` of every Event: `loom-pod-cidr-allocator`. */
  component: string;
  /** `source.host`: the node a per-node daemon runs on. */
  host?: string;
  logger?: KubeLogger;
  now?: () => Date;
}

export interface EventRecorder {
  /** Posts the Event; a failure is logged, never thrown (an Event is a courtesy to the user,
   * never a reason for a reconcile to fail). */
  record(target: ObjectReference, event: EventRecord): Promise<void>;
}

/** The reference `kubectl describe <kind> <name>` finds an Event by. */
export function referenceTo(obj: KubeObject, kind: string, apiVersion = 'v1'): ObjectReference {
  const { name = '', namespace, uid } = obj.metadata ?? {};
  return { kind, apiVersion, name, ...(namespace ? { namespace } : {}), ...(uid ? { uid } : {}) };
}

/**
 * client-go's `record.EventRecorder`, minus its aggregation: callers record a condition when
 * it starts, not on every retry. Events of cluster-scoped objects (Nodes) live in `default`,
 * where `kubectl describe node` looks for them, as with kube-controller-manager.
 */
export function createEventRecorder(options: EventRecorderOptions): EventRecorder {
  const log = options.logger ?? silentKubeLogger;
  const now = options.now ?? (() => new Date());
  return {
    async record(target, event) {
      const namespace = target.namespace || 'default';
      // core/v1 timestamps are whole seconds (metav1.Time).
      const timestamp = now()
        .toISOString()
        .replace(/\.\d+Z$/, 'Z');
      const body = {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { generateName: `${target.name}.`, namespace },
        involvedObject: target,
        reason: event.reason,
        message: event.message,
        type: event.type,
        source: { component: options.component, ...(options.host ? { host: options.host } : {}) },
        firstTimestamp: timestamp,
        lastTimestamp: timestamp,
        count: 1,
      };
      const path = resourcePath({ version: 'v1', plural: 'events', namespace });
      try {
        await options.client.request({ method: 'POST', path, body });
      } catch (err) {
        log.warn(
          { err, kind: target.kind, object: target.name, reason: event.reason },
          'cannot record event',
        );
      }
    },
  };
}

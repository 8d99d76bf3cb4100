import type { Informer } from './informer.ts';
import { type KubeObject, objectKey } from './kube-object.ts';

/**
 * An informer whose changes feed a controller. `keys` maps an object to the keys it affects
 * (an EndpointSlice to its Service's `namespace/name`; none to ignore it), default its own
 * key. `changed` filters updates: false means the update touched nothing the controller reads
 * (a Node heartbeat), so nothing is queued. Adds, deletes and informer resyncs always count.
 */
export interface ControllerSource<T extends KubeObject = KubeObject> {
  informer: Informer<T>;
  keys?(obj: T): string | readonly string[] | undefined;
  changed?(old: T, obj: T): boolean;
}

/** A source with `keys` and `changed` typed by the informer's object type. */
export function controllerSource<T extends KubeObject>(
  informer: Informer<T>,
  options: Omit<ControllerSource<T>, 'informer'> = {},
): ControllerSource<T> {
  return { informer, ...options };
}

export function asSource(source: Informer<KubeObject> | ControllerSource): ControllerSource {
  return 'informer' in source ? source : { informer: source };
}

/** The keys `obj` affects under `source`. */
export function keysOf<T extends KubeObject>(source: ControllerSource<T>, obj: T): string[] {
  if (!source.keys) return [objectKey(obj)];
  const keys = source.keys(obj);
  if (keys === undefined) return [];
  return typeof keys === 'string' ? [keys] : [...keys];
}

/**
 * Subscribes `enqueue` to a source's events and returns the unsubscribe. An update queues the
 * keys of the old object too, so a change of owner (an EndpointSlice relabelled to another
 * Service) reaches both.
 */
export function watchSource(
  source: ControllerSource,
  enqueue: (keys: readonly string[]) => void,
): () => void {
  const { informer } = source;
  const offs = [
    informer.on('add', (obj) => enqueue(keysOf(source, obj))),
    informer.on('delete', (obj) => enqueue(keysOf(source, obj))),
    informer.on('update', (obj, old, { resync }) => {
      if (!resync && source.changed && !source.changed(old, obj)) return;
      enqueue([...new Set([...keysOf(source, old), ...keysOf(source, obj)])]);
    }),
  ];
  return () => {
    for (const off of offs) off();
  };
}

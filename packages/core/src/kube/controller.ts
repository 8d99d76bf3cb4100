import type { Informer } from './informer.ts';
import { type KubeObject, objectKey } from './kube-object.ts';
import { createWorkQueue, type WorkQueue, type WorkQueueOptions } from './work-queue.ts';

/** An informer whose changes enqueue keys; `keys` maps an object to the keys it affects
 * (an EndpointSlice to its Service's `namespace/name`), default its own key. */
export interface ControllerSource<T extends KubeObject = KubeObject> {
  informer: Informer<T>;
  keys?(obj: T): string | readonly string[];
}

export interface ControllerOptions extends WorkQueueOptions {
  informers: ReadonlyArray<Informer<KubeObject> | ControllerSource>;
}

export interface Controller {
  readonly queue: WorkQueue;
  /** Starts the informers and, once every one has listed, the workers: a reconcile never
   * sees a half-filled cache. */
  start(): Promise<void>;
  /** Stops the informers, then the queue (waiting for in-flight reconciles). */
  stop(): Promise<void>;
}

/**
 * The shape of every Loom daemon (DESIGN.md, "How data flows"): informers feed keys into a
 * work queue; `reconcile(key)` reads the informers' caches and converges that key.
 */
export function createController(options: ControllerOptions): Controller {
  const queue = createWorkQueue(options);
  const sources = options.informers.map(
    (source): ControllerSource => ('informer' in source ? source : { informer: source }),
  );
  const unsubscribe: Array<() => void> = [];
  for (const { informer, keys } of sources) {
    const enqueue = (obj: KubeObject): void => {
      const mapped = keys ? keys(obj) : objectKey(obj);
      for (const key of typeof mapped === 'string' ? [mapped] : mapped) queue.add(key);
    };
    unsubscribe.push(
      informer.on('add', enqueue),
      informer.on('update', enqueue),
      informer.on('delete', enqueue),
    );
  }

  return {
    queue,
    async start() {
      for (const { informer } of sources) informer.start();
      await Promise.all(sources.map(({ informer }) => informer.synced));
      queue.start();
    },
    async stop() {
      await Promise.all(sources.map(({ informer }) => informer.stop()));
      for (const off of unsubscribe.splice(0)) off();
      await queue.shutdown();
    },
  };
}

import { abortableDelay } from './abortable-delay.ts';
import { type BackoffOptions, createBackoff } from './backoff.ts';
import type { KubeClient } from './kube-client.ts';
import {
  isKubeApiError,
  KubeApiError,
  KubeConnectionError,
  WatchDecodeError,
} from './kube-errors.ts';
import { type KubeLogger, silentKubeLogger } from './kube-logger.ts';
import type { KubeObject } from './kube-object.ts';
import { listAll } from './list-pager.ts';
import { type CacheChange, createObjectCache } from './object-cache.ts';
import type { Indexers } from './object-index.ts';
import { withoutManagedFields } from './object-transform.ts';
import { readWatchEvents, type WatchEvent } from './watch-stream.ts';

export interface InformerOptions<T extends KubeObject = KubeObject> {
  client: KubeClient;
  /** A collection path; namespace scoping is part of it (see `resourcePath`):
   * `/api/v1/nodes`, `/api/v1/namespaces/kube-system/configmaps`, `/apis/example.org/v1/widgets`. */
  path: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** List page size (default 500). */
  pageSize?: number;
  /** Asked of the server per watch, randomised in [t, 2t) as client-go does so that many
   * watchers do not all reconnect at once (default 300). */
  watchTimeoutSeconds?: number;
  /** A watch still open this long after its timeoutSeconds is stalled (a half-open TCP
   * connection, a proxy that swallowed the end) and is cut client-side (default 30 s). */
  stallGraceMs?: number;
  /** Restart delays after failures (default 200 ms doubling to 30 s, 20 % jitter). */
  backoff?: BackoffOptions;
  /** A watch that stays up this long resets the backoff (default 60 s). */
  healthyAfterMs?: number;
  /** Re-emits `update` (flagged `resync`) for every cached object at this interval; 0 = off. */
  resyncIntervalMs?: number;
  /** Timeout of each list page request (default 60 s). */
  listTimeoutMs?: number;
  /** Secondary indexes, by name, for {@link Informer.byIndex}: `{ clusterIp: serviceClusterIps }`. */
  indexers?: Indexers<T>;
  /**
   * Shapes each listed or watched object before it is cached and handed to listeners
   * (client-go's `SetTransform`): keep what the daemon reads and let the rest go, e.g. a Node
   * without its image list. Memory per cached object is a daemon's main cost at scale.
   * `metadata.managedFields` is always dropped first ({@link withoutManagedFields}).
   */
  transform?: (obj: T) => T;
  logger?: KubeLogger;
}

export interface UpdateInfo {
  /** True when the update is a periodic resync, not a change. */
  resync: boolean;
}

export interface InformerListeners<T extends KubeObject> {
  add: (obj: T) => void;
  update: (obj: T, old: T, info: UpdateInfo) => void;
  delete: (obj: T) => void;
  /** A failure the informer recovers from by itself, after `retryInMs`. */
  error: (err: Error, retryInMs: number) => void;
}

export interface Informer<T extends KubeObject> {
  readonly path: string;
  /** Registers a listener and returns its removal. Register before `start()` to see the
   * initial list's `add`s. */
  on<E extends keyof InformerListeners<T>>(event: E, listener: InformerListeners<T>[E]): () => void;
  start(): void;
  /** Resolves after the first complete list; rejects if the informer stops before. */
  readonly synced: Promise<void>;
  hasSynced(): boolean;
  get(key: string): T | undefined;
  list(): T[];
  /** The cached objects filed under `value` in the index `name` given at creation (Services by
   * ClusterIP, EndpointSlices by Service); throws `UnknownIndexError` for any other name. */
  byIndex(name: string, value: string): T[];
  /**
   * Lists afresh and resolves once the cache holds that list (the changes it brings are
   * emitted as usual). The list starts after the call, so it sees every write the API server
   * had committed by then: what a new leader needs before acting on the cache.
   */
  relist(): Promise<void>;
  /** The resourceVersion the next watch starts from. */
  readonly resourceVersion: string;
  /** Aborts in-flight requests and backoff waits; resolves once the informer has stopped. */
  stop(): Promise<void>;
}

export class InformerStoppedError extends Error {
  readonly code = 'LOOM_INFORMER_STOPPED';
  constructor(path: string, before = 'its first list') {
    super(`informer on ${path} stopped before ${before} completed`);
    this.name = 'InformerStoppedError';
  }
}

/** A clean end sooner than this, with no event, is a server misbehaving, not a timeout. */
const MIN_HEALTHY_WATCH_MS = 1000;

/**
 * List-then-watch with a cache, the client-go reflector's contract, minus its one weakness in
 * client-node (an informer that stops for good on an unexpected error): every failure is
 * retried with backoff, 410 Gone relists, and the relist is diffed against the cache so
 * handlers see exactly the changes they missed.
 */
export function createInformer<T extends KubeObject>(options: InformerOptions<T>): Informer<T> {
  const { client, path } = options;
  const log = options.logger ?? silentKubeLogger;
  const cache = createObjectCache<T>({
    indexers: options.indexers,
    onIndexError: (err, index, key) => log.error({ err, path, index, key }, 'index function threw'),
  });
  const shape = (obj: T): T => {
    const slim = withoutManagedFields(obj);
    return options.transform ? options.transform(slim) : slim;
  };
  const backoff = createBackoff(options.backoff);
  const listeners = { add: new Set(), update: new Set(), delete: new Set(), error: new Set() };
  const lifetime = new AbortController();
  let resourceVersion = '';
  let synced = false;
  let running: Promise<void> | undefined;
  let resyncTimer: NodeJS.Timeout | undefined;
  /** Set by a 410; cleared by any watch event. Two in a row means a relist loop. */
  let goneAgain = false;
  /** `relist()` callers waiting for a list that starts after their call. */
  let relistWaiters: Array<{ resolve: () => void; reject: (err: Error) => void }> = [];
  /** The watch in progress, cut short when a relist is asked for. */
  let currentWatch: AbortController | undefined;
  let resolveSynced: () => void = () => {};
  let rejectSynced: (err: Error) => void = () => {};
  const syncedPromise = new Promise<void>((resolve, reject) => {
    resolveSynced = resolve;
    rejectSynced = reject;
  });
  // Nobody may be awaiting `synced` when the informer stops early; that is not a crash.
  syncedPromise.catch(() => {});

  const stoppedError = (before: string): Error => new InformerStoppedError(path, before);

  function emit<E extends keyof InformerListeners<T>>(
    event: E,
    ...args: Parameters<InformerListeners<T>[E]>
  ): void {
    for (const listener of listeners[event] as Set<(...a: unknown[]) => void>) {
      try {
        listener(...args);
      } catch (err) {
        log.error({ err, path, event }, 'informer listener threw');
      }
    }
  }

  function emitChange(change: CacheChange<T>): void {
    if (change.type === 'update') emit('update', change.obj, change.old, { resync: false });
    else emit(change.type, change.obj);
  }

  async function relist(signal: AbortSignal): Promise<void> {
    const served = relistWaiters;
    relistWaiters = [];
    let result: Awaited<ReturnType<typeof listAll<T>>>;
    try {
      result = await listAll<T>(client, path, {
        labelSelector: options.labelSelector,
        fieldSelector: options.fieldSelector,
        pageSize: options.pageSize,
        timeoutMs: options.listTimeoutMs ?? 60_000,
        signal,
      });
    } catch (err) {
      // Still owed a list: the retry serves them, unless there will be none.
      if (signal.aborted) for (const waiter of served) waiter.reject(stoppedError('a relist'));
      else relistWaiters = [...served, ...relistWaiters];
      throw err;
    }
    const changes = cache.replace(result.items.map(shape));
    resourceVersion = result.resourceVersion;
    log.debug({ path, resourceVersion, objects: cache.size, changes: changes.length }, 'listed');
    for (const change of changes) emitChange(change);
    if (!synced) {
      synced = true;
      resolveSynced();
      startResync();
    }
    for (const waiter of served) waiter.resolve();
  }

  function handleEvent(event: WatchEvent<T>): void {
    if (event.type === 'ERROR') {
      throw new KubeApiError('WATCH', path, event.object.code ?? 500, event.object);
    }
    const version = event.object.metadata?.resourceVersion;
    if (event.type !== 'BOOKMARK') {
      const change = cache.apply(event.type, shape(event.object));
      if (change) emitChange(change);
    }
    if (version) resourceVersion = version;
    // The watch made progress, so a later 410 is ordinary expiry, not a relist loop.
    goneAgain = false;
  }

  /** One watch; returns whether it ended healthily (so the next one needs no backoff). */
  async function watchOnce(signal: AbortSignal): Promise<boolean> {
    const base = options.watchTimeoutSeconds ?? 300;
    const timeoutSeconds = Math.floor(base * (1 + Math.random()));
    const watch = new AbortController();
    currentWatch = watch;
    const stop = (): void => watch.abort();
    signal.addEventListener('abort', stop, { once: true });
    // stop() during the list that preceded this watch fired 'abort' before the listener was
    // there: without this the watch would hold stop() until its timeoutSeconds (5-10 min).
    if (signal.aborted) watch.abort();
    let stalled = false;
    const stallTimer = setTimeout(
      () => {
        stalled = true;
        watch.abort();
      },
      timeoutSeconds * 1000 + (options.stallGraceMs ?? 30_000),
    );
    const started = performance.now();
    let events = 0;
    try {
      const res = await client.stream({
        path,
        query: {
          watch: 'true',
          resourceVersion,
          allowWatchBookmarks: 'true',
          timeoutSeconds,
          labelSelector: options.labelSelector,
          fieldSelector: options.fieldSelector,
        },
        signal: watch.signal,
      });
      for await (const event of readWatchEvents<T>(res, path)) {
        handleEvent(event);
        events += 1;
      }
      return events > 0 || performance.now() - started >= MIN_HEALTHY_WATCH_MS;
    } catch (err) {
      // Cut for a relist: a healthy end, not a failure to back off from.
      if (relistWaiters.length > 0 && watch.signal.aborted && !signal.aborted) return true;
      if (stalled) throw new Error(`watch on ${path} stalled past its ${timeoutSeconds}s timeout`);
      if (err instanceof KubeApiError || err instanceof WatchDecodeError) throw err;
      if (err instanceof KubeConnectionError) throw err;
      throw new KubeConnectionError('WATCH', path, client.server, err);
    } finally {
      currentWatch = undefined;
      clearTimeout(stallTimer);
      signal.removeEventListener('abort', stop);
      if (performance.now() - started >= (options.healthyAfterMs ?? 60_000)) backoff.reset();
    }
  }

  async function run(signal: AbortSignal): Promise<void> {
    let needList = true;
    while (!signal.aborted) {
      let delay = 0;
      try {
        if (needList || relistWaiters.length > 0) await relist(signal);
        needList = false;
        if (await watchOnce(signal)) goneAgain = false;
        else delay = backoff.next();
      } catch (err) {
        if (signal.aborted) break;
        if (isKubeApiError(err, 410)) {
          // Our resourceVersion was compacted away: only a fresh list can catch up. Relist at
          // once, unless the last relist already ended in 410 (then the server is unwell).
          needList = true;
          delay = goneAgain ? backoff.next() : 0;
          goneAgain = true;
          log.info(
            { path, resourceVersion, retryInMs: delay },
            'resourceVersion expired, relisting',
          );
        } else {
          delay = backoff.next();
          log.warn({ path, err, retryInMs: delay }, 'list/watch failed, retrying');
        }
        emit('error', err as Error, delay);
      }
      await abortableDelay(delay, signal);
    }
  }

  function startResync(): void {
    const interval = options.resyncIntervalMs ?? 0;
    if (interval <= 0 || lifetime.signal.aborted) return;
    resyncTimer = setInterval(() => {
      for (const obj of cache.list()) emit('update', obj, obj, { resync: true });
    }, interval);
    resyncTimer.unref();
  }

  return {
    path,
    on(event, listener) {
      const set = listeners[event] as Set<unknown>;
      set.add(listener);
      return () => set.delete(listener);
    },
    start() {
      if (running || lifetime.signal.aborted) return;
      running = run(lifetime.signal);
    },
    synced: syncedPromise,
    hasSynced: () => synced,
    get: (key) => cache.get(key),
    list: () => cache.list(),
    byIndex: (name, value) => cache.byIndex(name, value),
    relist() {
      if (lifetime.signal.aborted) return Promise.reject(stoppedError('a relist'));
      return new Promise<void>((resolve, reject) => {
        relistWaiters.push({ resolve, reject });
        currentWatch?.abort();
      });
    },
    get resourceVersion() {
      return resourceVersion;
    },
    async stop() {
      lifetime.abort();
      clearInterval(resyncTimer);
      if (!synced) rejectSynced(new InformerStoppedError(path));
      for (const waiter of relistWaiters.splice(0)) waiter.reject(stoppedError('a relist'));
      await running;
    },
  };
}

import { abortableDelay } from './abortable-delay.ts';
import { createBackoff } from './backoff.ts';
import {
  type ControllerMetrics,
  type ControllerMetricsOptions,
  controllerMetrics,
} from './controller-metrics.ts';
import { asSource, type ControllerSource, keysOf, watchSource } from './controller-source.ts';
import type { Informer } from './informer.ts';
import { type KubeLogger, silentKubeLogger } from './kube-logger.ts';
import type { KubeObject } from './kube-object.ts';
import { createLeaderElector, type LeaderElectionOptions } from './leader-election.ts';
import { createSyncRunner, type SyncRunnerOptions } from './sync-runner.ts';
import { createWorkQueue, type Reconcile, type WorkQueueOptions } from './work-queue.ts';

interface CommonOptions {
  /** For logs and the `controller` metric label. */
  name: string;
  sources: ReadonlyArray<Informer<KubeObject> | ControllerSource>;
  /**
   * Runs once the caches are full, before the first reconcile; in leader-elected mode at the
   * start of every term. Builds what reconciles share from the whole cache (the allocator
   * marks every block in use before handing one out). Thrown errors are retried.
   */
  prepare?(signal: AbortSignal): void | Promise<void>;
  /** Reconcile only while holding this Lease (cluster-wide controllers with replicas). */
  leaderElection?: Omit<LeaderElectionOptions, 'onStartedLeading' | 'onStoppedLeading' | 'logger'>;
  metrics?: ControllerMetricsOptions;
  logger?: KubeLogger;
}

/** One reconcile per key, from a work queue: keys coalesce, never run twice at once, and
 * failures retry with per-key backoff. */
export interface KeyedControllerOptions
  extends CommonOptions,
    Pick<WorkQueueOptions, 'concurrency' | 'rateLimiter' | 'maxRetries' | 'onGiveUp'> {
  reconcile: Reconcile;
  /** Queued at every start whether or not an object maps to them: a key that rebuilds
   * everything must run once even with empty caches, to remove what is no longer wanted. */
  startKeys?: readonly string[];
}

/** "Sync everything": every event marks its keys dirty and asks for one sync, run at a
 * bounded frequency by a {@link createSyncRunner} (the service proxy's shape). */
export interface SyncAllControllerOptions
  extends CommonOptions,
    Pick<SyncRunnerOptions, 'sync' | 'minIntervalMs' | 'maxIntervalMs' | 'retry'> {}

export type ControllerOptions = KeyedControllerOptions | SyncAllControllerOptions;

export interface Controller {
  /** Starts the informers and, once every cache is full, reconciling: a reconcile never sees
   * a half-filled cache. Leader-elected: starts campaigning and resolves at once. */
  start(): Promise<void>;
  /** Stops reconciling (aborting in-flight work's signal and waiting for it), releases the
   * lease if held, then stops the informers. */
  stop(): Promise<void>;
  /** Queues a key (marks it dirty, in sync-all mode); dropped while not reconciling. */
  enqueue(key: string): void;
  /** Every source has listed once. */
  hasSynced(): boolean;
  /** Whether this instance reconciles now: always while running, unless leader-elected. */
  isLeader(): boolean;
  /** The lease holder last seen (leader-elected mode). */
  readonly leader: string | undefined;
  /** Resolves when nothing is queued or running (delayed retries and periodic syncs aside). */
  idle(): Promise<void>;
}

/** What reconciles during one term: a work queue or a sync runner, made fresh each term. */
interface Worker {
  add(keys: readonly string[]): void;
  start(): void;
  stop(): Promise<void>;
  idle(): Promise<void>;
}

/**
 * The shape of every Loom daemon (DESIGN.md, "How data flows"): informers feed keys into a
 * work queue (or a sync runner), and a reconcile reads the informers' caches to converge.
 * A "term" is the time it reconciles: from start to stop, or each tenure of the lease.
 */
export function createController(options: ControllerOptions): Controller {
  const log = options.logger ?? silentKubeLogger;
  const sources = options.sources.map(asSource);
  const metrics = options.metrics && controllerMetrics(options.name, options.metrics);
  const lifetime = new AbortController();
  let current: Worker | undefined;
  let informersStarted = false;
  const unsubscribe = sources.map((source) => watchSource(source, (keys) => current?.add(keys)));

  /** Fills the caches for a term: the first lists them, later ones list afresh, since a
   * cache kept while another instance led may trail the writes that instance made. */
  async function fillCaches(signal: AbortSignal): Promise<void> {
    const informers = sources.map((source) => source.informer);
    let filled: Promise<unknown>;
    if (informersStarted) filled = Promise.all(informers.map((informer) => informer.relist()));
    else {
      informersStarted = true;
      for (const informer of informers) informer.start();
      filled = Promise.all(informers.map((informer) => informer.synced));
    }
    await Promise.race([filled, untilAborted(signal)]).catch((err: unknown) => {
      if (!signal.aborted) throw err;
    });
  }

  async function prepare(signal: AbortSignal): Promise<void> {
    const backoff = createBackoff({ initialMs: 1000 });
    while (!signal.aborted) {
      try {
        await options.prepare?.(signal);
        return;
      } catch (err) {
        const retryInMs = backoff.next();
        log.error({ controller: options.name, err, retryInMs }, 'prepare failed, retrying');
        await abortableDelay(retryInMs, signal);
      }
    }
  }

  /** Everything in the caches, as if just added: events before the term went nowhere. */
  function queueEverything(worker: Worker): void {
    if ('startKeys' in options && options.startKeys) worker.add(options.startKeys);
    for (const source of sources) {
      for (const obj of source.informer.list()) worker.add(keysOf(source, obj));
    }
  }

  async function openTerm(signal: AbortSignal): Promise<Worker | undefined> {
    const worker = createWorker(options, metrics, log);
    current = worker;
    await fillCaches(signal);
    await prepare(signal);
    if (signal.aborted) {
      await closeTerm(worker);
      return undefined;
    }
    queueEverything(worker);
    worker.start();
    if (options.leaderElection) metrics?.leading(true);
    log.debug({ controller: options.name }, 'caches synced, reconciling');
    return worker;
  }

  async function closeTerm(worker: Worker): Promise<void> {
    if (current === worker) current = undefined;
    if (options.leaderElection) metrics?.leading(false);
    await worker.stop();
  }

  const elector =
    options.leaderElection &&
    createLeaderElector({
      ...options.leaderElection,
      logger: log,
      async onStartedLeading(signal) {
        const worker = await openTerm(signal);
        if (!worker) return;
        await untilAborted(signal);
        await closeTerm(worker);
      },
    });
  let term: Worker | undefined;

  return {
    async start() {
      if (elector) elector.start();
      else term = await openTerm(lifetime.signal);
    },
    async stop() {
      lifetime.abort();
      await elector?.stop();
      for (const worker of new Set([term, current])) if (worker) await closeTerm(worker);
      term = undefined;
      await Promise.all(sources.map((source) => source.informer.stop()));
      for (const off of unsubscribe.splice(0)) off();
    },
    enqueue: (key) => current?.add([key]),
    hasSynced: () => sources.every((source) => source.informer.hasSynced()),
    isLeader: () => (elector ? elector.isLeader() : term !== undefined && !lifetime.signal.aborted),
    get leader() {
      return elector?.leader;
    },
    idle: () => current?.idle() ?? Promise.resolve(),
  };
}

function createWorker(
  options: ControllerOptions,
  metrics: ControllerMetrics | undefined,
  logger: KubeLogger,
): Worker {
  if ('sync' in options) {
    const runner = createSyncRunner({ ...options, metrics: metrics?.runner, logger });
    return {
      add: (keys) => runner.request(...keys),
      start: () => runner.start(),
      stop: () => runner.stop(),
      idle: () => runner.idle(),
    };
  }
  const queue = createWorkQueue({ ...options, metrics: metrics?.queue, logger });
  return {
    add: (keys) => {
      for (const key of keys) queue.add(key);
    },
    start: () => queue.start(),
    stop: () => queue.shutdown({ abort: true }),
    idle: () => queue.idle(),
  };
}

function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) =>
    signal.addEventListener('abort', () => resolve(), { once: true }),
  );
}

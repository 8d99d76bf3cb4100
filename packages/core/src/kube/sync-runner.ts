import { type Backoff, type BackoffOptions, createBackoff } from './backoff.ts';
import { type KubeLogger, silentKubeLogger } from './kube-logger.ts';

/** What one sync is asked to do. */
export interface SyncRequest {
  /** Keys marked dirty since the last successful sync (a failed sync's keys stay dirty). */
  readonly dirty: ReadonlySet<string>;
  /**
   * Rebuild everything, whatever is dirty: the first sync, the periodic one (drift repair),
   * the one after a failure (what a failed sync left is unknown), and after `requestFull()`.
   */
  readonly full: boolean;
  /** Aborts when the runner stops. */
  readonly signal: AbortSignal;
}

/** Plain callbacks, as the work queue's, so this file does not know prom-client. */
export interface SyncRunnerMetrics {
  /** Dirty keys waiting for the next sync (a gauge). */
  depth?(dirty: number): void;
  /** Every request, coalesced or not (a counter). */
  request?(): void;
  /** A failed sync scheduled again after `delayMs`. */
  retry?(delayMs: number): void;
  /** One sync finished. */
  synced?(seconds: number, outcome: 'success' | 'error', full: boolean): void;
}

export interface SyncRunnerOptions {
  /** Brings everything in line; throwing means "retry with backoff". */
  sync(request: SyncRequest): Promise<void> | void;
  /** For logs. */
  name?: string;
  /** Least time from the end of one sync to the start of the next; requests in between are
   * coalesced into that next sync (default 0: as soon as the last one ends). */
  minIntervalMs?: number;
  /** Most time between the end of one sync and the start of the next: a sync runs then even
   * with nothing requested (kube-proxy's syncPeriod). */
  maxIntervalMs: number;
  /** Delay after a failure, growing with each (default 1 s doubling, capped at maxIntervalMs). */
  retry?: BackoffOptions;
  metrics?: SyncRunnerMetrics;
  logger?: KubeLogger;
}

export interface SyncRunner {
  /** Marks `keys` dirty (none: asks for a sync all the same); the sync runs once
   * `minIntervalMs` has passed since the last one ended, or after the backoff of a failure. */
  request(...keys: string[]): void;
  /** As `request()`, and the next sync is full. */
  requestFull(): void;
  /** Runs the first, full sync at once, then keeps to the intervals. */
  start(): void;
  /** Cancels what is scheduled, aborts the signal of a sync in progress and waits for it. */
  stop(): Promise<void>;
  /** Resolves when no sync is running or owed (the periodic one does not count). */
  idle(): Promise<void>;
  /** Keys waiting for the next sync. */
  readonly pending: number;
}

/**
 * kube-proxy's BoundedFrequencyRunner, for daemons that sync everything at once: at most one
 * sync per `minIntervalMs` however many changes arrive (they pile up in a dirty set the next
 * sync receives), at least one per `maxIntervalMs` with none, never two at once, and a
 * failed sync retried after a growing delay that requests do not cut short (a failing kernel
 * or API server is not hammered harder because the cluster is busy).
 */
export function createSyncRunner(options: SyncRunnerOptions): SyncRunner {
  const log = options.logger ?? silentKubeLogger;
  const metrics = options.metrics ?? {};
  const minIntervalMs = options.minIntervalMs ?? 0;
  const { maxIntervalMs } = options;
  validateIntervals(minIntervalMs, maxIntervalMs);
  // Capped at maxIntervalMs: a failing sync still runs at least that often.
  const backoff: Backoff = createBackoff({
    initialMs: 1000,
    ...options.retry,
    maxMs: Math.min(options.retry?.maxMs ?? maxIntervalMs, maxIntervalMs),
  });
  const abort = new AbortController();
  let dirty = new Set<string>();
  let owed = false;
  let needFull = true;
  let started = false;
  let stopped = false;
  let running: Promise<void> | undefined;
  let lastEnd = Number.NEGATIVE_INFINITY;
  /** Set after a failure: no sync, requested or not, before then. */
  let retryAt: number | undefined;
  let timer: { at: number; handle: NodeJS.Timeout } | undefined;
  let idleWaiters: Array<() => void> = [];

  /** When the next sync is due: owed ones after min interval (or backoff), else periodic. */
  function nextDue(): number {
    if (!owed) return lastEnd + maxIntervalMs;
    return Math.max(lastEnd + minIntervalMs, retryAt ?? Number.NEGATIVE_INFINITY);
  }

  function schedule(): void {
    if (!started || stopped || running) return;
    const at = nextDue();
    if (timer?.at === at) return;
    if (timer) clearTimeout(timer.handle);
    const handle = setTimeout(
      () => {
        timer = undefined;
        running = runOnce();
      },
      Math.max(0, at - performance.now()),
    );
    handle.unref();
    timer = { at, handle };
  }

  async function runOnce(): Promise<void> {
    const request = { dirty, full: needFull || !owed, signal: abort.signal };
    dirty = new Set();
    owed = false;
    needFull = false;
    metrics.depth?.(0);
    const begin = performance.now();
    let retryInMs: number | undefined;
    try {
      await options.sync(request);
      metrics.synced?.((performance.now() - begin) / 1000, 'success', request.full);
      backoff.reset();
    } catch (err) {
      metrics.synced?.((performance.now() - begin) / 1000, 'error', request.full);
      retryInMs = retryLater(request.dirty, err);
    } finally {
      lastEnd = performance.now();
      retryAt = retryInMs === undefined ? undefined : lastEnd + retryInMs;
      running = undefined;
      schedule();
      checkIdle();
    }
  }

  /** Keeps the failed sync's keys and owes a full sync; returns the backoff delay. */
  function retryLater(failed: ReadonlySet<string>, err: unknown): number {
    for (const key of failed) dirty.add(key);
    owed = true;
    needFull = true;
    const delayMs = backoff.next();
    metrics.retry?.(delayMs);
    log.warn({ runner: options.name, err, retryInMs: delayMs }, 'sync failed, retrying');
    return delayMs;
  }

  function request(...keys: string[]): void {
    if (stopped) return;
    for (const key of keys) dirty.add(key);
    owed = true;
    metrics.request?.();
    metrics.depth?.(dirty.size);
    schedule();
  }

  function checkIdle(): void {
    if ((owed || running) && !stopped) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  return {
    request,
    requestFull() {
      needFull = true;
      request();
    },
    start() {
      if (started || stopped) return;
      started = true;
      owed = true;
      schedule();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer.handle);
      timer = undefined;
      abort.abort();
      await running;
      checkIdle();
    },
    idle() {
      return new Promise((resolve) => {
        idleWaiters.push(resolve);
        checkIdle();
      });
    },
    get pending() {
      return dirty.size;
    },
  };
}

function validateIntervals(minIntervalMs: number, maxIntervalMs: number): void {
  if (!(minIntervalMs >= 0))
    throw new RangeError(`minIntervalMs must be ≥ 0, got ${minIntervalMs}`);
  if (!(maxIntervalMs > 0) || maxIntervalMs < minIntervalMs) {
    throw new RangeError(
      `maxIntervalMs must be > 0 and ≥ minIntervalMs (${minIntervalMs}), got ${maxIntervalMs}`,
    );
  }
}

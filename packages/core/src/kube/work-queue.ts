import { type KubeLogger, silentKubeLogger } from './kube-logger.ts';
import {
  createExponentialRateLimiter,
  type RateLimiter,
  type RateLimiterOptions,
} from './rate-limiter.ts';

/** What a reconcile may ask for on success: look again later (a TTL, a pending condition). */
export interface ReconcileResult {
  requeueAfterMs?: number;
}

/** Brings the world in line for one key. Throwing means "retry with backoff". */
export type Reconcile = (
  key: string,
  signal: AbortSignal,
  // biome-ignore lint/suspicious/noConfusingVoidType: most reconciles return nothing at all
) => Promise<ReconcileResult | undefined | void> | ReconcileResult | undefined | void;

/** Plain callbacks, so the daemon kit can feed prom-client without this file knowing it. */
export interface WorkQueueMetrics {
  /** Keys waiting to be processed (a gauge). */
  depth?(depth: number): void;
  /** Every add, coalesced or not (a counter). */
  add?(key: string): void;
  /** A failed key scheduled for a retry. */
  retry?(key: string, delayMs: number): void;
  /** Seconds a key waited between being queued and being processed. */
  latency?(key: string, seconds: number): void;
  /** One reconcile finished. */
  processed?(key: string, seconds: number, outcome: 'success' | 'error'): void;
}

export interface WorkQueueOptions {
  reconcile: Reconcile;
  /** For logs. */
  name?: string;
  /** Reconciles running at once, never two for one key (default 1). */
  concurrency?: number;
  rateLimiter?: RateLimiter | RateLimiterOptions;
  /** Failures after which a key is dropped (default: retry forever). */
  maxRetries?: number;
  onGiveUp?(key: string, err: unknown, failures: number): void;
  metrics?: WorkQueueMetrics;
  logger?: KubeLogger;
}

export interface ShutdownOptions {
  /** Also process the keys already queued (default: only wait for the in-flight ones). */
  drain?: boolean;
  /** Abort the signal passed to in-flight reconciles. */
  abort?: boolean;
}

export interface WorkQueue {
  add(key: string): void;
  addAfter(key: string, delayMs: number): void;
  /** Adds after the key's rate-limited delay (its failure count grows). */
  addRateLimited(key: string): void;
  /** Clears the key's failure count. */
  forget(key: string): void;
  /** Starts the workers; keys added before wait for it. */
  start(): void;
  /** Keys waiting (not in flight, not delayed). */
  readonly length: number;
  /** Resolves when nothing is queued or in flight (delayed keys do not count). */
  idle(): Promise<void>;
  /** Stops intake and resolves once in-flight reconciles have finished. */
  shutdown(options?: ShutdownOptions): Promise<void>;
}

/**
 * client-go's rate-limited work queue, push-style: a key is queued once however often it is
 * added, a key being processed is never processed twice at once (re-adds wait and run once
 * after), and failures come back after a per-key exponential delay.
 */
export function createWorkQueue(options: WorkQueueOptions): WorkQueue {
  const log = options.logger ?? silentKubeLogger;
  const metrics = options.metrics ?? {};
  const concurrency = Math.max(1, options.concurrency ?? 1);
  const limiter =
    options.rateLimiter && 'when' in options.rateLimiter
      ? options.rateLimiter
      : createExponentialRateLimiter(options.rateLimiter);
  const queue: string[] = [];
  const queuedAt = new Map<string, number>();
  const processing = new Set<string>();
  const dirty = new Set<string>();
  const delayed = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  const abort = new AbortController();
  let idleWaiters: Array<() => void> = [];
  let started = false;
  let closed = false;
  let draining = false;

  function enqueue(key: string): void {
    queue.push(key);
    queuedAt.set(key, performance.now());
    metrics.depth?.(queue.length);
    pump();
  }

  function add(key: string): void {
    if (closed) return;
    metrics.add?.(key);
    if (processing.has(key)) dirty.add(key);
    else if (!queuedAt.has(key)) enqueue(key);
  }

  function addAfter(key: string, delayMs: number): void {
    if (closed) return;
    if (delayMs <= 0) {
      add(key);
      return;
    }
    const at = performance.now() + delayMs;
    const waiting = delayed.get(key);
    // The earliest wake-up wins, as in client-go's delaying queue.
    if (waiting && waiting.at <= at) return;
    if (waiting) clearTimeout(waiting.timer);
    const timer = setTimeout(() => {
      delayed.delete(key);
      add(key);
    }, delayMs);
    timer.unref();
    delayed.set(key, { at, timer });
  }

  function pump(): void {
    if (!started || (closed && !draining)) {
      checkIdle();
      return;
    }
    while (processing.size < concurrency && queue.length > 0) {
      const key = queue.shift() as string;
      const since = queuedAt.get(key) ?? performance.now();
      queuedAt.delete(key);
      metrics.depth?.(queue.length);
      metrics.latency?.(key, (performance.now() - since) / 1000);
      processing.add(key);
      void process(key);
    }
    checkIdle();
  }

  async function process(key: string): Promise<void> {
    const begin = performance.now();
    try {
      const result = await options.reconcile(key, abort.signal);
      metrics.processed?.(key, (performance.now() - begin) / 1000, 'success');
      limiter.forget(key);
      if (result?.requeueAfterMs !== undefined) addAfter(key, result.requeueAfterMs);
    } catch (err) {
      metrics.processed?.(key, (performance.now() - begin) / 1000, 'error');
      retry(key, err);
    } finally {
      processing.delete(key);
      if (dirty.delete(key) && !closed) enqueue(key);
      pump();
    }
  }

  function retry(key: string, err: unknown): void {
    const failures = limiter.retries(key) + 1;
    if (options.maxRetries !== undefined && failures > options.maxRetries) {
      log.error({ queue: options.name, key, err, failures }, 'reconcile failed, giving up');
      limiter.forget(key);
      options.onGiveUp?.(key, err, failures);
      return;
    }
    const delayMs = limiter.when(key);
    log.warn({ queue: options.name, key, err, retryInMs: delayMs }, 'reconcile failed, retrying');
    metrics.retry?.(key, delayMs);
    addAfter(key, delayMs);
  }

  function checkIdle(): void {
    const busy = processing.size > 0 || (queue.length > 0 && (!closed || draining));
    if (busy) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  return {
    add,
    addAfter,
    addRateLimited: (key) => addAfter(key, limiter.when(key)),
    forget: (key) => limiter.forget(key),
    start() {
      started = true;
      pump();
    },
    get length() {
      return queue.length;
    },
    idle() {
      return new Promise((resolve) => {
        idleWaiters.push(resolve);
        checkIdle();
      });
    },
    async shutdown(opts = {}) {
      closed = true;
      draining = opts.drain === true && started;
      for (const { timer } of delayed.values()) clearTimeout(timer);
      delayed.clear();
      if (!draining) {
        queue.splice(0);
        queuedAt.clear();
      }
      if (opts.abort) abort.abort();
      await new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        checkIdle();
      });
    },
  };
}

import type { Counter, Gauge, Histogram } from 'prom-client';
import type { MetricsRegistry } from '../daemon/metrics.ts';
import type { SyncRunnerMetrics } from './sync-runner.ts';
import type { WorkQueueMetrics } from './work-queue.ts';

export interface ControllerMetricsOptions {
  registry: MetricsRegistry;
  /**
   * The `key` label of the reconcile metrics. Default: the controller's name, one series per
   * controller, since object keys (`namespace/name`) would make one series per object. A
   * controller with a few fixed keys (the route agent's `routes`, `node-setup`) labels them
   * as themselves.
   */
  keyLabel?(key: string): string;
}

/** What one controller reports through; created by {@link controllerMetrics}. */
export interface ControllerMetrics {
  readonly queue: WorkQueueMetrics;
  readonly runner: SyncRunnerMetrics;
  leading(leading: boolean): void;
}

interface MetricSet {
  depth: Gauge<'controller'>;
  adds: Counter<'controller'>;
  retries: Counter<'controller'>;
  duration: Histogram<'key'>;
  errors: Counter<'key'>;
  leader: Gauge<'controller'>;
}

/** A registry refuses a second metric of the same name, so controllers sharing a registry
 * (one process hosting several daemons) share one set. */
const sets = new WeakMap<MetricsRegistry, MetricSet>();

function metricSet(registry: MetricsRegistry): MetricSet {
  const known = sets.get(registry);
  if (known) return known;
  const set: MetricSet = {
    depth: registry.gauge('workqueue_depth', 'Keys waiting to be reconciled.', ['controller']),
    adds: registry.counter(
      'workqueue_adds_total',
      'Keys queued (coalesced or not) by informer events and requeues.',
      ['controller'],
    ),
    retries: registry.counter(
      'workqueue_retries_total',
      'Failed reconciles scheduled again after a backoff.',
      ['controller'],
    ),
    duration: registry.histogram(
      'reconcile_duration_seconds',
      'Duration of one reconcile (or sync), by key.',
      {
        labelNames: ['key'],
        buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      },
    ),
    errors: registry.counter('reconcile_errors_total', 'Failed reconciles, by key.', ['key']),
    leader: registry.gauge(
      'leader',
      '1 while this instance holds the lease and its controller reconciles.',
      ['controller'],
    ),
  };
  sets.set(registry, set);
  return set;
}

/** The standard queue and reconcile metrics of the controller `name`, `<prefix>_workqueue_*`,
 * `<prefix>_reconcile_*`, `<prefix>_leader` with the registry's prefix. */
export function controllerMetrics(
  name: string,
  options: ControllerMetricsOptions,
): ControllerMetrics {
  const set = metricSet(options.registry);
  const keyLabel = options.keyLabel ?? (() => name);
  const controller = { controller: name };
  const finished = (key: string, seconds: number, outcome: 'success' | 'error'): void => {
    const label = { key: keyLabel(key) };
    set.duration.observe(label, seconds);
    if (outcome === 'error') set.errors.inc(label);
  };
  return {
    queue: {
      depth: (depth) => set.depth.set(controller, depth),
      add: () => set.adds.inc(controller),
      retry: () => set.retries.inc(controller),
      processed: finished,
    },
    runner: {
      depth: (dirty) => set.depth.set(controller, dirty),
      request: () => set.adds.inc(controller),
      retry: () => set.retries.inc(controller),
      synced: (seconds, outcome) => finished(name, seconds, outcome),
    },
    leading: (leading) => set.leader.set(controller, leading ? 1 : 0),
  };
}

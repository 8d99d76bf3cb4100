import type { MetricsRegistry } from '@loom-net/core';
import { createMetricsRegistry } from '@loom-net/core';
import type { RuntimeContext } from './runtime-context.ts';

/** What /metrics shows of a lab runtime: CRI calls, and its sandboxes and containers by state. */
export interface RuntimeMetrics {
  readonly registry: MetricsRegistry;
  observeCall(method: string, code: string): void;
  /** Refreshes the object gauges from the runtime's state. */
  update(ctx: RuntimeContext): void;
}

export function createRuntimeMetrics(): RuntimeMetrics {
  const registry = createMetricsRegistry('loom_lab_runtime');
  const calls = registry.counter('cri_calls_total', 'CRI calls served, by method and gRPC code', [
    'method',
    'code',
  ]);
  const sandboxes = registry.gauge('sandboxes', 'Pod sandboxes, by state', ['state']);
  const containers = registry.gauge('containers', 'Containers, by state', ['state']);
  return {
    registry,
    observeCall: (method, code) => calls.inc({ method, code }),
    update(ctx) {
      for (const state of ['creating', 'ready', 'notready']) {
        const count = [...ctx.sandboxes.values()].filter((s) => s.state === state).length;
        sandboxes.set({ state }, count);
      }
      for (const state of ['created', 'running', 'exited', 'unknown']) {
        const count = [...ctx.containers.values()].filter((c) => c.state === state).length;
        containers.set({ state }, count);
      }
    },
  };
}

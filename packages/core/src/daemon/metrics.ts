import type { Counter, Gauge, Histogram } from 'prom-client';
import * as promClient from 'prom-client';

export interface MetricsRegistryOptions {
  /** Register prom-client's process and Node.js metrics (`process_*`, `nodejs_*`); default true. */
  defaultMetrics?: boolean;
}

export interface HistogramOptions<L extends string> {
  labelNames?: readonly L[];
  /** Upper bounds in the metric's unit; default prom-client's (5 ms … 10 s, in seconds). */
  buckets?: number[];
}

/** A prom-client registry whose helpers prefix every metric name with `<prefix>_`. */
export interface MetricsRegistry {
  readonly registry: promClient.Registry;
  readonly prefix: string;
  /** The Prometheus text exposition content type. */
  readonly contentType: string;
  metrics(): Promise<string>;
  counter<L extends string = string>(
    name: string,
    help: string,
    labelNames?: readonly L[],
  ): Counter<L>;
  gauge<L extends string = string>(name: string, help: string, labelNames?: readonly L[]): Gauge<L>;
  histogram<L extends string = string>(
    name: string,
    help: string,
    options?: HistogramOptions<L>,
  ): Histogram<L>;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

function assertMetricName(name: string, what: string): void {
  if (!METRIC_NAME.test(name)) {
    throw new TypeError(`invalid metric ${what} ${JSON.stringify(name)}: use [a-zA-Z0-9_:]`);
  }
}

/** A fresh registry for one daemon, e.g. `createMetricsRegistry('loom_route_agent')`. */
export function createMetricsRegistry(
  prefix: string,
  options: MetricsRegistryOptions = {},
): MetricsRegistry {
  assertMetricName(prefix, 'prefix');
  const registry = new promClient.Registry();
  if (options.defaultMetrics ?? true) promClient.collectDefaultMetrics({ register: registry });
  const fullName = (name: string): string => {
    assertMetricName(name, 'name');
    return `${prefix}_${name}`;
  };
  return {
    registry,
    prefix,
    get contentType() {
      return registry.contentType;
    },
    metrics: () => registry.metrics(),
    counter: (name, help, labelNames = []) =>
      new promClient.Counter({ name: fullName(name), help, labelNames, registers: [registry] }),
    gauge: (name, help, labelNames = []) =>
      new promClient.Gauge({ name: fullName(name), help, labelNames, registers: [registry] }),
    histogram: (name, help, { labelNames = [], buckets } = {}) =>
      new promClient.Histogram({
        name: fullName(name),
        help,
        labelNames,
        registers: [registry],
        ...(buckets ? { buckets } : {}),
      }),
  };
}

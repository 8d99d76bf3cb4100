import { describe, expect, it } from 'vitest';
import { createMetricsRegistry } from '../../src/daemon/index.ts';

describe('createMetricsRegistry', () => {
  it('prefixes metric names and exposes them as Prometheus text', async () => {
    const metrics = createMetricsRegistry('loom_route_agent', { defaultMetrics: false });
    metrics
      .counter('route_changes_total', 'Routes added or removed.', ['op'])
      .inc({ op: 'add' }, 3);
    metrics.gauge('peers', 'Nodes with a route.').set(2);
    const sync = metrics.histogram('sync_duration_seconds', 'Time to sync routes.', {
      buckets: [0.1, 1],
    });
    sync.observe(0.05);
    const text = await metrics.metrics();
    expect(text).toContain('# TYPE loom_route_agent_route_changes_total counter');
    expect(text).toContain('loom_route_agent_route_changes_total{op="add"} 3');
    expect(text).toContain('loom_route_agent_peers 2');
    expect(text).toContain('loom_route_agent_sync_duration_seconds_bucket{le="0.1"} 1');
    expect(text).not.toContain('process_cpu_seconds_total');
    expect(metrics.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
  });

  it('includes the process and Node.js metrics by default', async () => {
    const text = await createMetricsRegistry('loom_dns').metrics();
    expect(text).toContain('process_cpu_seconds_total');
    expect(text).toContain('nodejs_heap_size_used_bytes');
  });

  it('keeps registries apart, so two daemons in one process do not collide', async () => {
    const a = createMetricsRegistry('loom_a', { defaultMetrics: false });
    const b = createMetricsRegistry('loom_a', { defaultMetrics: false });
    a.counter('x_total', 'x').inc();
    b.counter('x_total', 'x');
    expect(await b.metrics()).toContain('loom_a_x_total 0');
  });

  it.each([
    ['loom-dns', () => createMetricsRegistry('loom-dns')],
    [
      'bad name',
      () => createMetricsRegistry('loom', { defaultMetrics: false }).counter('bad name', 'x'),
    ],
  ])('rejects the name %j', (_, make) => {
    expect(make).toThrow(/invalid metric (prefix|name)/);
  });
});

import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createMetricsRegistry } from '../../src/daemon/index.ts';
import {
  type Controller,
  type ControllerOptions,
  controllerSource,
  createController,
  createInformer,
  createKubeClient,
  type EndpointSlice,
  endpointSliceServiceKey,
  type Indexers,
  type KubeClient,
  type KubeObject,
  type Lease,
  type Node,
  type Service,
} from '../../src/kube/index.ts';
import { createFakeApiServer } from '../../src/testing/index.ts';

const fake = await createFakeApiServer();
afterAll(() => fake.close());

const NODES = '/api/v1/nodes';
const LEASES = '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases';
const fastLease = { leaseDurationSeconds: 2, renewDeadlineMs: 1000, retryPeriodMs: 200 };

const clients: KubeClient[] = [];
const controllers: Controller[] = [];
afterEach(async () => {
  await Promise.all(controllers.splice(0).map((c) => c.stop()));
  for (const client of clients.splice(0)) client.close();
});

function informerOn<T extends KubeObject>(
  path: string,
  { identity = 'test', indexers }: { identity?: string; indexers?: Indexers<T> } = {},
) {
  const client = createKubeClient(fake.kubeConfig({ token: identity }));
  clients.push(client);
  return createInformer<T>({ client, path, indexers, backoff: { initialMs: 20, maxMs: 200 } });
}

function started(options: ControllerOptions): Controller {
  const controller = createController(options);
  controllers.push(controller);
  return controller;
}

/** A Node in namespace-less `NODES`, with a heartbeat field that routing never reads. */
const node = (name: string, podCIDR?: string, heartbeat = 0) => ({
  metadata: { name, labels: { heartbeat: String(heartbeat) } },
  spec: podCIDR ? { podCIDR, podCIDRs: [podCIDR] } : {},
});

describe('controller, one reconcile per key', () => {
  it('reconciles each key once the caches are full, and again when a source changes', async () => {
    const services = '/api/v1/namespaces/web/services';
    const slices = '/apis/discovery.k8s.io/v1/namespaces/web/endpointslices';
    const sliceOf = (name: string) => ({
      metadata: { name, labels: { 'kubernetes.io/service-name': 'frontend' } },
      addressType: 'IPv4',
    });
    fake.create(services, { metadata: { name: 'frontend' } });
    fake.create(slices, sliceOf('frontend-x1'));
    const serviceInformer = informerOn<Service>(services);
    const sliceInformer = informerOn<EndpointSlice>(slices, {
      indexers: { service: endpointSliceServiceKey },
    });
    const seen: string[] = [];
    const controller = started({
      name: 'services',
      sources: [
        serviceInformer,
        controllerSource(sliceInformer, { keys: endpointSliceServiceKey }),
      ],
      reconcile: (key) => {
        const count = sliceInformer.byIndex('service', key).length;
        seen.push(`${key} service=${serviceInformer.get(key) ? 'yes' : 'no'} slices=${count}`);
      },
    });
    await controller.start();
    // Both informers listed before the first reconcile: it saw the service and its slice.
    await expect.poll(() => seen).toEqual(['web/frontend service=yes slices=1']);
    fake.create(slices, sliceOf('frontend-x2'));
    await expect.poll(() => seen.at(-1)).toBe('web/frontend service=yes slices=2');
    fake.remove(services, 'frontend');
    await expect.poll(() => seen.at(-1)).toBe('web/frontend service=no slices=2');
  });

  it('queues nothing for an update its filter says changed nothing it reads', async () => {
    fake.create(NODES, node('filtered-1', '10.244.1.0/24'));
    const nodes = informerOn<Node>(NODES);
    const seen: string[] = [];
    const controller = started({
      name: 'routes',
      sources: [
        controllerSource(nodes, {
          keys: (n) => (n.metadata?.name?.startsWith('filtered-') ? n.metadata.name : undefined),
          changed: (old, now) => old.spec?.podCIDR !== now.spec?.podCIDR,
        }),
      ],
      reconcile: (key) => void seen.push(`${key} ${nodes.get(key)?.spec?.podCIDR}`),
    });
    await controller.start();
    await expect.poll(() => seen).toEqual(['filtered-1 10.244.1.0/24']);
    fake.update(NODES, node('filtered-1', '10.244.1.0/24', 1)); // heartbeat
    fake.update(NODES, node('filtered-1', '10.244.9.0/24', 2)); // a real change
    await expect.poll(() => seen.at(-1)).toBe('filtered-1 10.244.9.0/24');
    await controller.idle();
    expect(seen).toEqual(['filtered-1 10.244.1.0/24', 'filtered-1 10.244.9.0/24']);
  });

  it('queues both owners when an update moves an object from one key to another', async () => {
    const slices = '/apis/discovery.k8s.io/v1/namespaces/moving/endpointslices';
    const slice = (service: string) => ({
      metadata: { name: 'slice-1', labels: { 'kubernetes.io/service-name': service } },
      addressType: 'IPv4',
    });
    fake.create(slices, slice('old-owner'));
    const informer = informerOn<EndpointSlice>(slices);
    const seen: string[] = [];
    const controller = started({
      name: 'owners',
      sources: [controllerSource(informer, { keys: endpointSliceServiceKey })],
      reconcile: (key) => void seen.push(key),
    });
    await controller.start();
    await expect.poll(() => seen).toEqual(['moving/old-owner']);
    fake.update(slices, slice('new-owner'));
    await expect
      .poll(() => [...seen].sort())
      .toEqual(['moving/new-owner', 'moving/old-owner', 'moving/old-owner']);
  });

  it('lets informer resyncs through its filter: they exist to repair drift', async () => {
    const path = '/api/v1/namespaces/resynced/configmaps';
    fake.create(path, { metadata: { name: 'a' } });
    const client = createKubeClient(fake.kubeConfig());
    clients.push(client);
    const informer = createInformer<KubeObject>({ client, path, resyncIntervalMs: 50 });
    let reconciles = 0;
    const controller = started({
      name: 'resynced',
      sources: [controllerSource(informer, { changed: () => false })],
      reconcile: () => void reconciles++,
    });
    await controller.start();
    await expect.poll(() => reconciles).toBeGreaterThanOrEqual(3);
  });

  it('retries a prepare that throws before reconciling anything', async () => {
    const path = '/api/v1/namespaces/prepare-fails/configmaps';
    fake.create(path, { metadata: { name: 'a' } });
    let attempts = 0;
    const seen: string[] = [];
    const controller = started({
      name: 'prepare-fails',
      sources: [informerOn<KubeObject>(path)],
      prepare: () => {
        if (++attempts === 1) throw new Error('not yet');
      },
      reconcile: (key) => void seen.push(`${key} after ${attempts} prepares`),
    });
    await controller.start();
    await expect.poll(() => seen).toEqual(['prepare-fails/a after 2 prepares']);
  });

  it('runs its start keys even when no object maps to them', async () => {
    const empty = informerOn<KubeObject>('/api/v1/namespaces/nothing-here/configmaps');
    const seen: string[] = [];
    const controller = started({
      name: 'everything',
      sources: [controllerSource(empty, { keys: () => 'all' })],
      startKeys: ['all'],
      reconcile: (key) => void seen.push(key),
    });
    await controller.start();
    await expect.poll(() => seen).toEqual(['all']);
  });

  it('runs prepare on full caches before the first reconcile', async () => {
    const path = '/api/v1/namespaces/prepared/configmaps';
    fake.create(path, { metadata: { name: 'a' } });
    const informer = informerOn<KubeObject>(path);
    const order: string[] = [];
    const controller = started({
      name: 'prepared',
      sources: [informer],
      prepare: () => void order.push(`prepare sees ${informer.list().length}`),
      reconcile: (key) => void order.push(`reconcile ${key}`),
    });
    await controller.start();
    await expect.poll(() => order).toEqual(['prepare sees 1', 'reconcile prepared/a']);
  });

  it('stops cleanly: aborts the reconcile in flight, waits for it, then runs nothing more', async () => {
    const path = '/api/v1/namespaces/stopping/configmaps';
    fake.create(path, { metadata: { name: 'slow' } });
    const informer = informerOn<KubeObject>(path);
    const events: string[] = [];
    const controller = createController({
      name: 'stopping',
      sources: [informer],
      reconcile: (_key, signal) =>
        new Promise<void>((resolve) => {
          events.push('reconcile started');
          signal.addEventListener('abort', () => {
            events.push('aborted');
            setTimeout(resolve, 50);
          });
        }),
    });
    await controller.start();
    await expect.poll(() => events).toEqual(['reconcile started']);
    await controller.stop();
    events.push('stopped');
    fake.create(path, { metadata: { name: 'after' } });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(events).toEqual(['reconcile started', 'aborted', 'stopped']);
  });

  it('reports the standard queue and reconcile metrics under the registry prefix', async () => {
    const path = '/api/v1/namespaces/measured/configmaps';
    fake.create(path, { metadata: { name: 'ok' } });
    fake.create(path, { metadata: { name: 'bad' } });
    const registry = createMetricsRegistry('loom_test', { defaultMetrics: false });
    let failures = 0;
    const controller = started({
      name: 'measured',
      sources: [informerOn<KubeObject>(path)],
      rateLimiter: { baseDelayMs: 10 },
      metrics: { registry },
      reconcile: (key) => {
        if (key === 'measured/bad' && failures++ === 0) throw new Error('first try fails');
      },
    });
    await controller.start();
    await expect.poll(() => failures).toBe(2);
    await controller.idle();
    const text = await registry.metrics();
    for (const line of [
      'loom_test_workqueue_depth{controller="measured"} 0',
      'loom_test_workqueue_retries_total{controller="measured"} 1',
      'loom_test_reconcile_errors_total{key="measured"} 1',
      'loom_test_reconcile_duration_seconds_count{key="measured"} 3',
    ]) {
      expect(text).toContain(line);
    }
    expect(text).toMatch(/loom_test_workqueue_adds_total\{controller="measured"\} [3-9]/);
  });
});

describe('controller, sync everything', () => {
  it('gives one bounded-frequency sync the keys of every event since the last', async () => {
    const path = '/api/v1/namespaces/synced/configmaps';
    fake.create(path, { metadata: { name: 'a' } });
    const informer = informerOn<KubeObject>(path);
    const syncs: string[] = [];
    const controller = started({
      name: 'proxy',
      sources: [informer],
      minIntervalMs: 300,
      maxIntervalMs: 60_000,
      sync: ({ dirty, full }) =>
        void syncs.push(`${full ? 'full' : 'partial'} ${[...dirty].sort().join(',')}`),
    });
    await controller.start();
    await expect.poll(() => syncs).toEqual(['full synced/a']);
    for (const name of ['b', 'c', 'd']) fake.create(path, { metadata: { name } });
    await expect.poll(() => syncs).toHaveLength(2);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(syncs).toEqual(['full synced/a', 'partial synced/b,synced/c,synced/d']);
  });
});

describe('controller, leader-elected', () => {
  let leaseSeq = 0;

  function candidate(identity: string, lease: string, seen: string[]): Controller {
    const nodes = informerOn<Node>(NODES, { identity });
    const client = createKubeClient(fake.kubeConfig({ token: identity }));
    clients.push(client);
    return started({
      name: 'allocator',
      sources: [
        controllerSource(nodes, {
          keys: (n) => (n.metadata?.name?.startsWith('le-') ? n.metadata.name : undefined),
        }),
      ],
      leaderElection: { ...fastLease, client, namespace: 'kube-system', name: lease, identity },
      reconcile: (key) => void seen.push(`${identity} ${key}`),
    });
  }

  it('reconciles only on the lease holder; the standby takes over when it stops', async () => {
    const lease = `controller-${++leaseSeq}`;
    const seen: string[] = [];
    const a = candidate('a', lease, seen);
    const b = candidate('b', lease, seen);
    await a.start();
    await b.start();
    await expect.poll(() => [a.isLeader(), b.isLeader()].filter(Boolean).length).toBe(1);
    const [leader, standby] = a.isLeader() ? [a, b] : [b, a];
    const [leaderId, standbyId] = leader === a ? ['a', 'b'] : ['b', 'a'];
    fake.create(NODES, node('le-1'));
    await expect.poll(() => seen).toContain(`${leaderId} le-1`);
    await leader.stop();
    await expect.poll(() => standby.isLeader()).toBe(true);
    await expect.poll(() => seen).toContain(`${standbyId} le-1`);
    expect(seen.filter((line) => line.startsWith(standbyId)).length).toBeGreaterThan(0);
    expect((fake.get(LEASES, lease) as Lease).spec?.holderIdentity).toBe(standbyId);
  });

  it('relists when it regains the lease, and reconciles what changed while it did not hold it', async () => {
    const lease = `controller-${++leaseSeq}`;
    const seen: string[] = [];
    const solo = candidate('solo', lease, seen);
    const lists = () =>
      fake.requests.filter((r) => r.path === NODES && !r.watch && r.token === 'solo').length;
    await solo.start();
    await expect.poll(() => solo.isLeader()).toBe(true);
    await expect.poll(lists).toBe(1);
    // Someone else takes the lease: the controller stops reconciling.
    const held = fake.get(LEASES, lease) as Lease;
    fake.update(LEASES, { ...held, spec: { ...held.spec, holderIdentity: 'intruder' } });
    await expect.poll(() => solo.isLeader()).toBe(false);
    fake.create(NODES, node('le-while-away'));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(seen).not.toContain('solo le-while-away');
    // The intruder never renews; once the lease expires the controller leads again.
    await expect.poll(() => solo.isLeader(), { timeout: 5000 }).toBe(true);
    await expect.poll(() => seen).toContain('solo le-while-away');
    // Its informer kept watching, but a new term must not trust a cache kept while another led.
    expect(lists()).toBe(2);
  });
});

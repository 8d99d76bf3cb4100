import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  createInformer,
  createKubeClient,
  createObjectCache,
  type IndexFunc,
  type KubeClient,
  type KubeObject,
  objectKey,
  type Service,
  serviceClusterIps,
  UnknownIndexError,
} from '../../src/kube/index.ts';
import { createFakeApiServer } from '../../src/testing/index.ts';

const fake = await createFakeApiServer();
afterAll(() => fake.close());

let version = 0;
/** A Service in `ns` with the given ClusterIPs, at a fresh resourceVersion. */
const service = (name: string, ...clusterIPs: string[]): Service => ({
  metadata: { name, namespace: 'ns', resourceVersion: String(++version) },
  spec: { clusterIP: clusterIPs[0] ?? 'None', clusterIPs },
});

const byClusterIp: IndexFunc<Service> = serviceClusterIps;

type Step = { apply: 'ADDED' | 'MODIFIED' | 'DELETED'; obj: Service } | { relist: Service[] };

describe('informer indexes (in the cache)', () => {
  it.each<{ name: string; steps: Step[]; lookups: Record<string, string[]> }>([
    {
      name: 'files a dual-stack Service under each of its ClusterIPs',
      steps: [{ apply: 'ADDED', obj: service('web', '10.96.0.10', 'fd00:96::a') }],
      lookups: { '10.96.0.10': ['ns/web'], 'fd00:96::a': ['ns/web'], '10.96.0.11': [] },
    },
    {
      name: 'moves a Service whose ClusterIP changed (delete + re-create under the same name)',
      steps: [
        { apply: 'ADDED', obj: service('web', '10.96.0.10') },
        { apply: 'MODIFIED', obj: service('web', '10.96.0.20') },
      ],
      lookups: { '10.96.0.10': [], '10.96.0.20': ['ns/web'] },
    },
    {
      name: 'forgets a deleted Service, even when the delete carries no spec',
      steps: [
        { apply: 'ADDED', obj: service('web', '10.96.0.10') },
        { apply: 'DELETED', obj: { metadata: { name: 'web', namespace: 'ns' } } },
      ],
      lookups: { '10.96.0.10': [] },
    },
    {
      name: 'keeps several objects under one value (two Services claiming an IP)',
      steps: [
        { apply: 'ADDED', obj: service('a', '10.96.0.10') },
        { apply: 'ADDED', obj: service('b', '10.96.0.10') },
        { apply: 'DELETED', obj: service('a', '10.96.0.10') },
      ],
      lookups: { '10.96.0.10': ['ns/b'] },
    },
    {
      name: 'follows a relist: adds, changes and removals all re-filed',
      steps: [
        { apply: 'ADDED', obj: service('kept', '10.96.0.1') },
        { apply: 'ADDED', obj: service('moved', '10.96.0.2') },
        { apply: 'ADDED', obj: service('gone', '10.96.0.3') },
        {
          relist: [
            service('kept', '10.96.0.1'),
            service('moved', '10.96.0.20'),
            service('new', '10.96.0.3'),
          ],
        },
      ],
      lookups: {
        '10.96.0.1': ['ns/kept'],
        '10.96.0.2': [],
        '10.96.0.20': ['ns/moved'],
        '10.96.0.3': ['ns/new'],
      },
    },
    {
      name: 'files a headless Service under nothing',
      steps: [{ apply: 'ADDED', obj: service('headless') }],
      lookups: { None: [], '': [] },
    },
  ])('$name', ({ steps, lookups }) => {
    const cache = createObjectCache<Service>({ indexers: { clusterIp: byClusterIp } });
    for (const step of steps) {
      if ('relist' in step) cache.replace(step.relist);
      else cache.apply(step.apply, step.obj);
    }
    for (const [ip, keys] of Object.entries(lookups)) {
      expect(cache.byIndex('clusterIp', ip).map(objectKey), ip).toEqual(keys);
    }
  });

  it('refuses an index that was never registered, naming the ones that were', () => {
    const cache = createObjectCache<Service>({ indexers: { clusterIp: byClusterIp } });
    expect(() => cache.byIndex('name', 'web')).toThrow(UnknownIndexError);
    expect(() => cache.byIndex('name', 'web')).toThrow(/known: clusterIp/);
  });

  it('keeps an object whose index function throws, out of that index only', () => {
    const errors: string[] = [];
    const cache = createObjectCache<KubeObject>({
      indexers: {
        name: (obj) => obj.metadata?.name,
        fragile: (obj) => {
          if (obj.metadata?.name === 'bad') throw new Error('boom');
          return 'all';
        },
      },
      onIndexError: (_err, index, key) => errors.push(`${index} ${key}`),
    });
    cache.apply('ADDED', { metadata: { name: 'bad', resourceVersion: '1' } });
    cache.apply('ADDED', { metadata: { name: 'good', resourceVersion: '2' } });
    expect(cache.get('bad')).toBeDefined();
    expect(cache.byIndex('name', 'bad').map(objectKey)).toEqual(['bad']);
    expect(cache.byIndex('fragile', 'all').map(objectKey)).toEqual(['good']);
    expect(errors).toEqual(['fragile bad']);
  });
});

describe('informer indexes (over list/watch)', () => {
  let client: KubeClient;
  const stops: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop();
    client?.close();
  });

  function servicesIn(namespace: string) {
    client = createKubeClient(fake.kubeConfig());
    const informer = createInformer<Service>({
      client,
      path: `/api/v1/namespaces/${namespace}/services`,
      backoff: { initialMs: 20 },
      indexers: { clusterIp: serviceClusterIps, name: (svc) => svc.metadata?.name },
    });
    stops.push(informer.stop);
    return informer;
  }

  const stored = (name: string, clusterIP: string) => ({
    metadata: { name },
    spec: { clusterIP, clusterIPs: [clusterIP] },
  });

  it('answers byIndex through watch events and a 410 relist', async () => {
    const path = '/api/v1/namespaces/indexed/services';
    fake.create(path, stored('dns', '10.96.0.10'));
    const informer = servicesIn('indexed');
    informer.start();
    await informer.synced;
    const dnsAt = () => informer.byIndex('clusterIp', '10.96.0.10').map(objectKey);
    expect(dnsAt()).toEqual(['indexed/dns']);

    fake.update(path, { ...stored('dns', '10.96.0.53'), metadata: { name: 'dns' } });
    await expect.poll(dnsAt).toEqual([]);
    expect(informer.byIndex('clusterIp', '10.96.0.53').map(objectKey)).toEqual(['indexed/dns']);

    // Changes the watch never delivers (compacted away) arrive through the relist's diff.
    fake.store.hold();
    fake.remove(path, 'dns');
    fake.create(path, stored('api', '10.96.0.1'));
    fake.store.compact();
    fake.dropWatches();
    fake.store.release();
    await expect
      .poll(() => informer.byIndex('clusterIp', '10.96.0.1').map(objectKey))
      .toEqual(['indexed/api']);
    expect(informer.byIndex('clusterIp', '10.96.0.53')).toEqual([]);
    expect(informer.byIndex('name', 'dns')).toEqual([]);
  });

  it('relist() resolves once the cache holds what the API server had at the call', async () => {
    const path = '/api/v1/namespaces/relisted/services';
    fake.create(path, stored('web', '10.96.1.1'));
    const informer = servicesIn('relisted');
    informer.start();
    await informer.synced;
    await fake.waitForWatch();
    const lists = () => fake.requests.filter((r) => r.path === path && !r.watch).length;
    expect(lists()).toBe(1);
    fake.store.hold(); // the watch is slow: it has not delivered the change
    try {
      fake.update(path, { ...stored('web', '10.96.1.2'), metadata: { name: 'web' } });
      await informer.relist();
      expect(informer.get('relisted/web')?.spec?.clusterIP).toBe('10.96.1.2');
      expect(lists()).toBe(2);
    } finally {
      fake.store.release();
    }
  });

  it('relist() rejects when the informer stops first', async () => {
    const remove = fake.intercept(() => ({ status: 503, reason: 'ServiceUnavailable' }));
    try {
      const informer = servicesIn('never');
      informer.start();
      const relisted = informer.relist();
      await informer.stop();
      await expect(relisted).rejects.toThrow(/stopped before a relist completed/);
    } finally {
      remove();
    }
  });
});

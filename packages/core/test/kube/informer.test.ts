import { pino } from 'pino';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  createInformer,
  createKubeClient,
  InformerStoppedError,
  type KubeClient,
  type KubeObject,
  objectKey,
  resourcePath,
} from '../../src/kube/index.ts';
import {
  createFakeApiServer,
  fakeInformerHarness,
  informerScenarios,
  scenarioSupported,
} from '../../src/testing/index.ts';

const fake = await createFakeApiServer();
afterAll(() => fake.close());

describe('informer scenarios on the fake API server', () => {
  const harness = fakeInformerHarness(fake);
  for (const scenario of informerScenarios) {
    it.skipIf(!scenarioSupported(scenario, harness))(scenario.name, () => scenario.run(harness));
  }
});

describe('informer', () => {
  let client: KubeClient;
  const stops: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop();
    client?.close();
  });

  function informerOn<T extends KubeObject>(path: string, extra: { fieldSelector?: string } = {}) {
    client = createKubeClient(fake.kubeConfig());
    const informer = createInformer<T>({ client, path, backoff: { initialMs: 20 }, ...extra });
    stops.push(informer.stop);
    return informer;
  }

  it.each([
    { what: 'cluster-scoped core', ref: { version: 'v1', plural: 'nodes' }, prefix: '' },
    {
      what: 'namespaced group',
      ref: { group: 'discovery.k8s.io', version: 'v1', plural: 'endpointslices', namespace: 'ns1' },
      prefix: 'ns1/',
    },
    { what: 'CRD', ref: { group: 'loom.dev', version: 'v1alpha1', plural: 'widgets' }, prefix: '' },
  ])('caches $what resources under their client-go key', async ({ ref, prefix }) => {
    const key = `${prefix}node1`;
    const path = resourcePath(ref);
    fake.create(path, { metadata: { name: 'node1' } });
    const informer = informerOn(path);
    informer.start();
    await informer.synced;
    expect(informer.get(key)?.metadata?.name).toBe('node1');
    fake.create(path, { metadata: { name: 'node2' } });
    await expect.poll(() => informer.list().map(objectKey).sort()).toEqual([key, `${prefix}node2`]);
  });

  it('filters by field selector and namespace', async () => {
    fake.create('/api/v1/namespaces/other/services', { metadata: { name: 'web' } });
    fake.create('/api/v1/namespaces/scoped/services', { metadata: { name: 'web' } });
    fake.create('/api/v1/namespaces/scoped/services', { metadata: { name: 'db' } });
    const informer = informerOn('/api/v1/namespaces/scoped/services', {
      fieldSelector: 'metadata.name=web',
    });
    informer.start();
    await informer.synced;
    expect(informer.list().map(objectKey)).toEqual(['scoped/web']);
  });

  it('rejects synced when stopped before the first list', async () => {
    const remove = fake.intercept(() => ({ status: 503, reason: 'ServiceUnavailable' }));
    try {
      const informer = informerOn('/api/v1/pods');
      informer.start();
      await new Promise((resolve) => setTimeout(resolve, 50));
      await informer.stop();
      await expect(informer.synced).rejects.toBeInstanceOf(InformerStoppedError);
    } finally {
      remove();
    }
  });

  it('stop() aborts an in-flight list', async () => {
    const hang = fake.intercept((req) => (req.path === '/api/v1/hanging' ? 'hang' : undefined));
    try {
      const informer = informerOn('/api/v1/hanging');
      informer.start();
      await expect.poll(() => fake.requests.some((r) => r.path === '/api/v1/hanging')).toBe(true);
      const begin = performance.now();
      await informer.stop();
      expect(performance.now() - begin).toBeLessThan(500);
    } finally {
      hang();
    }
  });

  it('logs through a pino logger', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) });
    client = createKubeClient(fake.kubeConfig());
    const informer = createInformer({ client, path: '/api/v1/namespaces/logged/pods', logger });
    stops.push(informer.stop);
    informer.start();
    await informer.synced;
    expect(lines.map((line) => JSON.parse(line).msg)).toContain('listed');
  });

  it('decodes events split across chunks', async () => {
    const informer = informerOn('/api/v1/namespaces/chunks/configmaps');
    informer.start();
    await informer.synced;
    await fake.waitForWatch();
    const line = JSON.stringify({
      type: 'ADDED',
      object: {
        kind: 'ConfigMap',
        metadata: { name: 'split', namespace: 'chunks', resourceVersion: '9999' },
      },
    });
    fake.writeToWatches(line.slice(0, 20));
    await new Promise((resolve) => setTimeout(resolve, 30));
    fake.writeToWatches(`${line.slice(20)}\n`);
    await expect.poll(() => informer.get('chunks/split')?.metadata?.resourceVersion).toBe('9999');
  });

  it('restarts a paginated list whose continue token expired', async () => {
    const path = '/api/v1/namespaces/paged/configmaps';
    for (const name of ['a', 'b', 'c', 'd']) fake.create(path, { metadata: { name } });
    const remove = fake.intercept((req) => {
      // Compact between pages once, as etcd may during a long list.
      if (req.query.has('continue')) {
        remove();
        fake.store.compact();
      }
      return undefined;
    });
    client = createKubeClient(fake.kubeConfig());
    const informer = createInformer({ client, path, pageSize: 2 });
    stops.push(informer.stop);
    informer.start();
    await informer.synced;
    expect(informer.list().map(objectKey).sort()).toEqual([
      'paged/a',
      'paged/b',
      'paged/c',
      'paged/d',
    ]);
  });

  it('sends the watch parameters client-go sends', async () => {
    const path = '/api/v1/namespaces/params/configmaps';
    const informer = informerOn(path);
    informer.start();
    await informer.synced;
    await expect.poll(() => fake.requests.find((r) => r.path === path && r.watch)).toBeDefined();
    const watch = fake.requests.find((r) => r.path === path && r.watch);
    expect(watch?.query.get('allowWatchBookmarks')).toBe('true');
    expect(watch?.query.get('resourceVersion')).toBe(informer.resourceVersion);
    expect(Number(watch?.query.get('timeoutSeconds'))).toBeGreaterThanOrEqual(300);
    expect(watch?.token).toBe('loom-fake-token');
  });
});

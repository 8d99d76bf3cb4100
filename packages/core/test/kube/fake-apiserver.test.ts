import { afterAll, describe, expect, it } from 'vitest';
import { createKubeClient, readWatchEvents } from '../../src/kube/index.ts';
import { createFakeApiServer, parseApiPath } from '../../src/testing/index.ts';

const fake = await createFakeApiServer();
afterAll(() => fake.close());

/** Opens a watch and collects `type name` lines until `count` arrived. */
async function watchFor(
  path: string,
  query: Record<string, string>,
  count: number,
  act: () => void,
) {
  const client = createKubeClient(fake.kubeConfig());
  const abort = new AbortController();
  const res = await client.stream({
    path,
    query: { watch: 'true', ...query },
    signal: abort.signal,
  });
  act();
  const seen: string[] = [];
  try {
    for await (const event of readWatchEvents(res, path)) {
      const object = event.object as { metadata?: { name?: string; resourceVersion?: string } };
      seen.push(`${event.type} ${object.metadata?.name ?? object.metadata?.resourceVersion}`);
      if (seen.length === count) break;
    }
  } finally {
    abort.abort();
    client.close();
  }
  return seen;
}

describe('fake API server', () => {
  it.each([
    { path: '/api/v1/nodes', target: { group: '', version: 'v1', plural: 'nodes' } },
    {
      path: '/api/v1/namespaces/ns1',
      target: { group: '', version: 'v1', plural: 'namespaces', name: 'ns1' },
    },
    {
      path: '/apis/discovery.k8s.io/v1/namespaces/ns1/endpointslices/s1',
      target: {
        group: 'discovery.k8s.io',
        version: 'v1',
        plural: 'endpointslices',
        namespace: 'ns1',
        name: 's1',
      },
    },
    { path: '/healthz', target: undefined },
  ])('parses $path', ({ path, target }) => {
    expect(parseApiPath(path)).toEqual(target);
  });

  it('turns selector transitions into ADDED and DELETED, as the watch cache does', async () => {
    const path = '/api/v1/namespaces/sel/pods';
    const seen = await watchFor(path, { labelSelector: 'app=web' }, 3, () => {
      fake.create(path, { metadata: { name: 'p1', labels: { app: 'db' } } });
      fake.update(path, { metadata: { name: 'p1', labels: { app: 'web' } } });
      fake.update(path, { metadata: { name: 'p1', labels: { app: 'web' } }, spec: { x: 1 } });
      fake.update(path, { metadata: { name: 'p1', labels: { app: 'db' } } });
    });
    expect(seen).toEqual(['ADDED p1', 'MODIFIED p1', 'DELETED p1']);
  });

  it('sends no event and keeps the resourceVersion for a write that changes nothing', async () => {
    const path = '/api/v1/namespaces/noop/configmaps';
    const created = fake.create(path, { metadata: { name: 'c' }, data: { a: '1' } });
    const again = fake.update(path, { metadata: { name: 'c' }, data: { a: '1' } });
    expect(again.metadata?.resourceVersion).toBe(created.metadata?.resourceVersion);
  });

  it('replays history from a resourceVersion and sends bookmarks on request', async () => {
    const path = '/api/v1/namespaces/replay/configmaps';
    const first = fake.create(path, { metadata: { name: 'one' } });
    fake.create(path, { metadata: { name: 'two' } });
    const seen = await watchFor(
      path,
      { resourceVersion: first.metadata?.resourceVersion ?? '', allowWatchBookmarks: 'true' },
      2,
      () => setTimeout(() => fake.store.bookmark(), 20),
    );
    expect(seen).toEqual(['ADDED two', `BOOKMARK ${fake.store.resourceVersion}`]);
  });

  it.each(['status', 'event'] as const)(
    'reports an expired resourceVersion as a 410 %s',
    async (style) => {
      const path = '/api/v1/namespaces/gone/configmaps';
      const old = fake.create(path, { metadata: { name: `g-${style}` } });
      fake.create(path, { metadata: { name: `h-${style}` } });
      fake.store.compact();
      fake.goneStyle = style;
      const client = createKubeClient(fake.kubeConfig());
      const opening = client.stream({
        path,
        query: { watch: 'true', resourceVersion: old.metadata?.resourceVersion },
      });
      if (style === 'status') {
        await expect(opening).rejects.toMatchObject({ status: 410, reason: 'Expired' });
      } else {
        const events = [];
        for await (const event of readWatchEvents(await opening, path)) events.push(event);
        expect(events).toMatchObject([{ type: 'ERROR', object: { code: 410, reason: 'Expired' } }]);
      }
      client.close();
    },
  );
});

import { describe, expect, it } from 'vitest';
import { type CacheChange, createObjectCache, type KubeObject } from '../../src/kube/index.ts';

const obj = (name: string, rv: string, namespace = 'ns'): KubeObject => ({
  metadata: { name, namespace, resourceVersion: rv },
});
const brief = (changes: Array<CacheChange<KubeObject> | undefined>) =>
  changes.map((c) =>
    c ? `${c.type} ${c.obj.metadata?.name}@${c.obj.metadata?.resourceVersion}` : 'none',
  );

describe('object cache', () => {
  it.each([
    { event: 'ADDED', cached: [], object: obj('a', '1'), change: 'add a@1' },
    { event: 'ADDED', cached: [obj('a', '1')], object: obj('a', '1'), change: 'none' },
    { event: 'MODIFIED', cached: [obj('a', '1')], object: obj('a', '2'), change: 'update a@2' },
    { event: 'MODIFIED', cached: [obj('a', '2')], object: obj('a', '2'), change: 'none' },
    { event: 'MODIFIED', cached: [], object: obj('a', '2'), change: 'add a@2' },
    { event: 'DELETED', cached: [obj('a', '2')], object: obj('a', '3'), change: 'delete a@3' },
    { event: 'DELETED', cached: [], object: obj('a', '3'), change: 'none' },
  ] as const)('$event on $cached.length cached → $change', ({ event, cached, object, change }) => {
    const cache = createObjectCache<KubeObject>();
    cache.replace(cached);
    expect(brief([cache.apply(event, object)])).toEqual([change]);
  });

  it('diffs a relist: add new, update changed, delete vanished, ignore unchanged', () => {
    const cache = createObjectCache<KubeObject>();
    cache.replace([obj('same', '1'), obj('changed', '1'), obj('gone', '1')]);
    const changes = cache.replace([obj('same', '1'), obj('changed', '5'), obj('new', '6')]);
    expect(brief(changes)).toEqual(['update changed@5', 'add new@6', 'delete gone@1']);
    const update = changes.find((c) => c.type === 'update');
    expect(update?.type === 'update' && update.old.metadata?.resourceVersion).toBe('1');
    expect(
      cache
        .list()
        .map((o) => o.metadata?.name)
        .sort(),
    ).toEqual(['changed', 'new', 'same']);
  });

  it('keys objects as namespace/name, cluster-scoped ones by name', () => {
    const cache = createObjectCache<KubeObject>();
    cache.replace([obj('a', '1', 'ns1'), { metadata: { name: 'node1', resourceVersion: '1' } }]);
    expect(cache.get('ns1/a')).toBeDefined();
    expect(cache.get('node1')).toBeDefined();
    expect(cache.size).toBe(2);
  });
});

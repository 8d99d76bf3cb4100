import { type KubeObject, objectKey } from './kube-object.ts';
import { createObjectIndex, type Indexers } from './object-index.ts';

export type CacheChange<T extends KubeObject> =
  | { type: 'add'; obj: T }
  | { type: 'update'; obj: T; old: T }
  | { type: 'delete'; obj: T };

/** The informer's store, keyed by {@link objectKey}. It turns watch events and relists into
 * the changes a handler should see, and nothing else: a repeated object (same
 * resourceVersion) produces no change. Its indexes follow every change. */
export interface ObjectCache<T extends KubeObject> {
  get(key: string): T | undefined;
  list(): T[];
  /** The objects filed under `value` in index `name` (see {@link Indexers}). */
  byIndex(name: string, value: string): T[];
  readonly size: number;
  apply(type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: T): CacheChange<T> | undefined;
  /** Replaces the whole content with a fresh list and returns the difference. */
  replace(items: readonly T[]): CacheChange<T>[];
}

export interface ObjectCacheOptions<T> {
  indexers?: Indexers<T>;
  /** An index function threw for an object (it is left out of that index). */
  onIndexError?: (err: unknown, index: string, key: string) => void;
}

export function createObjectCache<T extends KubeObject>(
  options: ObjectCacheOptions<T> = {},
): ObjectCache<T> {
  let objects = new Map<string, T>();
  const index = createObjectIndex(options.indexers, options.onIndexError);

  function apply(type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: T): CacheChange<T> | undefined {
    const key = objectKey(obj);
    const old = objects.get(key);
    if (type === 'DELETED') {
      if (!old) return undefined;
      objects.delete(key);
      index.update(key, undefined);
      return { type: 'delete', obj };
    }
    objects.set(key, obj);
    if (old && sameVersion(old, obj)) return undefined;
    index.update(key, obj);
    return old ? { type: 'update', obj, old } : { type: 'add', obj };
  }

  function replace(items: readonly T[]): CacheChange<T>[] {
    const next = new Map<string, T>();
    const changes: CacheChange<T>[] = [];
    for (const obj of items) {
      const key = objectKey(obj);
      next.set(key, obj);
      const old = objects.get(key);
      if (!old) changes.push({ type: 'add', obj });
      else if (!sameVersion(old, obj)) changes.push({ type: 'update', obj, old });
    }
    for (const [key, old] of objects) {
      if (!next.has(key)) changes.push({ type: 'delete', obj: old });
    }
    objects = next;
    for (const change of changes) {
      const key = objectKey(change.obj);
      index.update(key, change.type === 'delete' ? undefined : change.obj);
    }
    return changes;
  }

  return {
    get: (key) => objects.get(key),
    list: () => [...objects.values()],
    byIndex: (name, value) =>
      index.keys(name, value).flatMap((key) => {
        const obj = objects.get(key);
        return obj ? [obj] : [];
      }),
    get size() {
      return objects.size;
    },
    apply,
    replace,
  };
}

function sameVersion(a: KubeObject, b: KubeObject): boolean {
  const version = a.metadata?.resourceVersion;
  return version !== undefined && version === b.metadata?.resourceVersion;
}

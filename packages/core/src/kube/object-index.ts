/**
 * Where an object is found in one index: no value, one (an EndpointSlice under its Service's
 * key) or several (a Service under each of its ClusterIPs). Must be pure: the values an
 * object was filed under are remembered, not recomputed, when it changes or goes.
 */
export type IndexFunc<T> = (obj: T) => string | readonly string[] | undefined;

/** Index functions by index name, registered when the informer is created. */
export type Indexers<T> = Readonly<Record<string, IndexFunc<T>>>;

/** Secondary keys over a cache: index name → value → the cache keys filed under it. */
export interface ObjectIndex<T> {
  /** Re-files cache key `key`: off the values of what it was, onto those of `obj` (absent: it is gone). */
  update(key: string, obj: T | undefined): void;
  /** The cache keys filed under `value` in index `name`; throws for an index never registered. */
  keys(name: string, value: string): string[];
  readonly names: readonly string[];
}

export class UnknownIndexError extends Error {
  readonly code = 'LOOM_UNKNOWN_INDEX';
  constructor(name: string, known: readonly string[]) {
    super(
      `no index named ${JSON.stringify(name)}: indexes are registered when the informer is created (known: ${known.join(', ') || 'none'})`,
    );
    this.name = 'UnknownIndexError';
  }
}

interface OneIndex<T> {
  readonly fn: IndexFunc<T>;
  /** value → cache keys. */
  readonly byValue: Map<string, Set<string>>;
  /** cache key → the values it is filed under, so a removal needs no old object. */
  readonly valuesOf: Map<string, readonly string[]>;
}

/**
 * client-go's `Indexer` bookkeeping, kept beside the cache. An index function that throws
 * files the object under nothing and reports it through `onError`: one bad object must not
 * break the informer that feeds every other.
 */
export function createObjectIndex<T>(
  indexers: Indexers<T> = {},
  onError: (err: unknown, index: string, key: string) => void = () => {},
): ObjectIndex<T> {
  const indexes = new Map<string, OneIndex<T>>(
    Object.entries(indexers).map(([name, fn]) => [
      name,
      { fn, byValue: new Map(), valuesOf: new Map() },
    ]),
  );
  const names = [...indexes.keys()];

  function valuesFor(name: string, index: OneIndex<T>, key: string, obj: T): readonly string[] {
    try {
      const values = index.fn(obj);
      if (values === undefined) return [];
      return typeof values === 'string' ? [values] : [...new Set(values)];
    } catch (err) {
      onError(err, name, key);
      return [];
    }
  }

  function refile(name: string, index: OneIndex<T>, key: string, obj: T | undefined): void {
    for (const value of index.valuesOf.get(key) ?? []) {
      const keys = index.byValue.get(value);
      keys?.delete(key);
      if (keys?.size === 0) index.byValue.delete(value);
    }
    const values = obj === undefined ? [] : valuesFor(name, index, key, obj);
    if (values.length === 0) {
      index.valuesOf.delete(key);
      return;
    }
    index.valuesOf.set(key, values);
    for (const value of values) {
      const keys = index.byValue.get(value) ?? new Set<string>();
      keys.add(key);
      index.byValue.set(value, keys);
    }
  }

  return {
    names,
    update(key, obj) {
      for (const [name, index] of indexes) refile(name, index, key, obj);
    },
    keys(name, value) {
      const index = indexes.get(name);
      if (!index) throw new UnknownIndexError(name, names);
      return [...(index.byValue.get(value) ?? [])];
    },
  };
}

import { randomUUID } from 'node:crypto';
import type { KubeObject, KubeStatus } from '../kube/kube-object.ts';
import { parseFieldSelector, parseLabelSelector } from './fake-selectors.ts';

/** What an API path names: a collection (no `name`) or one object. */
export interface ApiTarget {
  group: string;
  version: string;
  plural: string;
  namespace?: string;
  name?: string;
}

export type StoredObject = KubeObject & Record<string, unknown>;
type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface FakeWatchEvent {
  type: EventType | 'BOOKMARK' | 'ERROR';
  object: StoredObject | KubeStatus;
}

export interface FakeWatchSink {
  write(event: FakeWatchEvent): void;
}

export interface ListQuery {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
}

/** An error the fake answers with, as a Kubernetes Status. */
export class FakeApiError extends Error {
  readonly status: number;
  readonly reason: string;
  constructor(status: number, reason: string, message: string) {
    super(message);
    this.name = 'FakeApiError';
    this.status = status;
    this.reason = reason;
  }
  toStatus(): KubeStatus {
    const { status: code, reason, message } = this;
    return { kind: 'Status', apiVersion: 'v1', status: 'Failure', message, reason, code };
  }
}

const KINDS: Record<string, string> = {
  configmaps: 'ConfigMap',
  endpoints: 'Endpoints',
  endpointslices: 'EndpointSlice',
  events: 'Event',
  gatewayclasses: 'GatewayClass',
  gateways: 'Gateway',
  httproutes: 'HTTPRoute',
  ingressclasses: 'IngressClass',
  ingresses: 'Ingress',
  leases: 'Lease',
  namespaces: 'Namespace',
  networkpolicies: 'NetworkPolicy',
  nodes: 'Node',
  pods: 'Pod',
  secrets: 'Secret',
  serviceaccounts: 'ServiceAccount',
  services: 'Service',
};

interface HistoryEntry {
  rv: number;
  resource: string;
  type: EventType;
  object: StoredObject;
  previous?: StoredObject;
}

interface Watcher {
  resource: string;
  namespace?: string;
  matches: (obj: KubeObject) => boolean;
  bookmarks: boolean;
  sink: FakeWatchSink;
  held: FakeWatchEvent[];
}

export const resourceKey = (t: ApiTarget): string => `${t.group}/${t.version}/${t.plural}`;
export const apiVersionOf = (t: ApiTarget): string =>
  t.group ? `${t.group}/${t.version}` : t.version;
const objectKeyIn = (ns: string | undefined, name: string): string => `${ns ?? ''}/${name}`;

/** The fake's data: objects per resource, one global resourceVersion counter (etcd's
 * revision), an event history that watches replay from, and a compaction point. */
export function createFakeStore() {
  const resources = new Map<string, Map<string, StoredObject>>();
  const kinds = new Map<string, string>();
  const history: HistoryEntry[] = [];
  const watchers = new Set<Watcher>();
  const snapshots = new Map<string, { rv: number; items: StoredObject[] }>();
  let revision = 1;
  let compactedAt = 0;
  let held = false;

  const kindOf = (t: ApiTarget): string =>
    kinds.get(resourceKey(t)) ??
    KINDS[t.plural] ??
    t.plural.charAt(0).toUpperCase() + t.plural.slice(1).replace(/s$/, '');
  const bucket = (t: ApiTarget): Map<string, StoredObject> => {
    const key = resourceKey(t);
    const objects = resources.get(key);
    if (objects) return objects;
    const created = new Map<string, StoredObject>();
    resources.set(key, created);
    return created;
  };

  function describe(t: ApiTarget): string {
    return t.group ? `${t.plural}.${t.group} "${t.name}"` : `${t.plural} "${t.name}"`;
  }

  function find(t: ApiTarget): StoredObject {
    const found = bucket(t).get(objectKeyIn(t.namespace, t.name ?? ''));
    if (!found) throw new FakeApiError(404, 'NotFound', `${describe(t)} not found`);
    return found;
  }

  function record(t: ApiTarget, type: EventType, object: StoredObject, previous?: StoredObject) {
    const entry = { rv: revision, resource: resourceKey(t), type, object, previous };
    history.push(entry);
    for (const watcher of watchers) deliver(watcher, entry);
  }

  function eventFor(watcher: Watcher, entry: HistoryEntry): FakeWatchEvent | undefined {
    if (entry.resource !== watcher.resource) return undefined;
    const ns = entry.object.metadata?.namespace;
    if (watcher.namespace !== undefined && ns !== watcher.namespace) return undefined;
    const now = watcher.matches(entry.object);
    const before = entry.previous !== undefined && watcher.matches(entry.previous);
    if (entry.type === 'DELETED')
      return now ? { type: 'DELETED', object: entry.object } : undefined;
    if (entry.type === 'ADDED') return now ? { type: 'ADDED', object: entry.object } : undefined;
    // Like the watch cache: an object that stops matching the selector is a DELETED (of its
    // previous state at the new resourceVersion), one that starts matching is an ADDED.
    if (now) return { type: before ? 'MODIFIED' : 'ADDED', object: entry.object };
    if (!before || !entry.previous) return undefined;
    const previous = { ...entry.previous, metadata: { ...entry.previous.metadata } };
    previous.metadata.resourceVersion = String(entry.rv);
    return { type: 'DELETED', object: previous };
  }

  function deliver(watcher: Watcher, entry: HistoryEntry): void {
    const event = eventFor(watcher, entry);
    if (!event) return;
    if (held) watcher.held.push(event);
    else watcher.sink.write(event);
  }

  function store(t: ApiTarget, type: EventType, obj: StoredObject, previous?: StoredObject) {
    revision += 1;
    obj.metadata = { ...obj.metadata, resourceVersion: String(revision) };
    const key = objectKeyIn(obj.metadata.namespace, obj.metadata.name ?? '');
    if (type === 'DELETED') bucket(t).delete(key);
    else bucket(t).set(key, obj);
    record(t, type, obj, previous);
    return structuredClone(obj);
  }

  function create(t: ApiTarget, body: StoredObject): StoredObject {
    const metadata = { ...(body.metadata ?? {}) } as Record<string, unknown>;
    if (!metadata.name && typeof metadata.generateName === 'string') {
      metadata.name = `${metadata.generateName}${randomUUID().slice(0, 5)}`;
    }
    const name = metadata.name as string | undefined;
    if (!name) throw new FakeApiError(422, 'Invalid', 'metadata.name: Required value');
    const target = { ...t, name };
    if (bucket(t).has(objectKeyIn(t.namespace, name))) {
      throw new FakeApiError(409, 'AlreadyExists', `${describe(target)} already exists`);
    }
    if (body.kind) kinds.set(resourceKey(t), body.kind);
    Object.assign(metadata, { namespace: t.namespace, uid: randomUUID() });
    metadata.creationTimestamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const obj = {
      ...structuredClone(body),
      apiVersion: apiVersionOf(t),
      kind: kindOf(t),
      metadata,
    };
    return store(t, 'ADDED', obj as StoredObject);
  }

  function update(t: ApiTarget, body: StoredObject, checkVersion = true): StoredObject {
    const current = find(t);
    const sent = body.metadata?.resourceVersion;
    if (checkVersion && sent && sent !== current.metadata?.resourceVersion) {
      throw new FakeApiError(
        409,
        'Conflict',
        `Operation cannot be fulfilled on ${describe(t)}: the object has been modified; please apply your changes to the latest version and try again`,
      );
    }
    const next = structuredClone(body);
    // PUT replaces the object; only server-owned metadata survives from the stored one.
    const { uid, creationTimestamp } = current.metadata as Record<string, unknown>;
    next.metadata = { ...next.metadata, namespace: t.namespace, name: t.name };
    Object.assign(next.metadata, { uid, creationTimestamp });
    Object.assign(next, { apiVersion: apiVersionOf(t), kind: kindOf(t) });
    // A write that changes nothing keeps its resourceVersion and sends no event, as etcd3 does.
    if (canonical(next) === canonical(current)) return structuredClone(current);
    return store(t, 'MODIFIED', next, current);
  }

  function patch(t: ApiTarget, mergePatchBody: unknown): StoredObject {
    return update(t, mergePatch(find(t), mergePatchBody) as StoredObject, false);
  }

  function remove(t: ApiTarget): StoredObject {
    return store(t, 'DELETED', structuredClone(find(t)));
  }

  function list(t: ApiTarget, query: ListQuery) {
    let rv = revision;
    let items: StoredObject[];
    let offset = 0;
    if (query.continue) {
      ({ rv, items, offset } = resumeList(query.continue));
    } else {
      items = matching(t, query).map(({ apiVersion: _a, kind: _k, ...item }) => item);
    }
    const limit = query.limit && query.limit > 0 ? query.limit : items.length;
    const page = items.slice(offset, offset + limit);
    let token: string | undefined;
    if (offset + limit < items.length) {
      const id = randomUUID();
      snapshots.set(id, { rv, items });
      token = Buffer.from(JSON.stringify({ id, offset: offset + limit, rv })).toString('base64url');
    }
    const metadata = { resourceVersion: String(rv), ...(token ? { continue: token } : {}) };
    return { kind: `${kindOf(t)}List`, apiVersion: apiVersionOf(t), metadata, items: page };
  }

  function resumeList(token: string) {
    let parsed: { id?: string; offset?: number };
    try {
      parsed = JSON.parse(Buffer.from(token, 'base64url').toString());
    } catch {
      throw new FakeApiError(400, 'BadRequest', 'continue key is not valid');
    }
    const snapshot = snapshots.get(parsed.id ?? '');
    if (!snapshot || snapshot.rv < compactedAt) {
      throw new FakeApiError(410, 'Expired', 'The provided continue parameter is too old');
    }
    return { rv: snapshot.rv, items: snapshot.items, offset: parsed.offset ?? 0 };
  }

  function matching(t: ApiTarget, query: ListQuery): StoredObject[] {
    const labels = parseLabelSelector(query.labelSelector);
    const fields = parseFieldSelector(query.fieldSelector);
    return [...bucket(t).entries()]
      .filter(([, obj]) => t.namespace === undefined || obj.metadata?.namespace === t.namespace)
      .filter(([, obj]) => labels(obj) && fields(obj))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, obj]) => structuredClone(obj));
  }

  /** Registers a watch; throws a 410 FakeApiError when `from` is older than the compaction. */
  function watch(
    t: ApiTarget,
    query: ListQuery & { resourceVersion?: string; bookmarks: boolean },
    sink: FakeWatchSink,
  ) {
    const labels = parseLabelSelector(query.labelSelector);
    const fields = parseFieldSelector(query.fieldSelector);
    const watcher: Watcher = {
      resource: resourceKey(t),
      namespace: t.namespace,
      matches: (obj) => labels(obj) && fields(obj),
      bookmarks: query.bookmarks,
      sink,
      held: [],
    };
    const from = query.resourceVersion ? Number(query.resourceVersion) : 0;
    if (from > 0 && from < compactedAt) {
      throw new FakeApiError(410, 'Expired', `too old resource version: ${from} (${compactedAt})`);
    }
    if (from === 0) {
      for (const object of matching(t, query)) deliverRaw(watcher, { type: 'ADDED', object });
    } else {
      for (const entry of history) if (entry.rv > from) deliver(watcher, entry);
    }
    watchers.add(watcher);
    return { close: () => watchers.delete(watcher) };
  }

  function deliverRaw(watcher: Watcher, event: FakeWatchEvent): void {
    if (held) watcher.held.push(event);
    else watcher.sink.write(event);
  }

  return {
    get resourceVersion(): number {
      return revision;
    },
    kindOf,
    get: (t: ApiTarget) => structuredClone(find(t)),
    create,
    update,
    patch,
    remove,
    list,
    watch,
    /** Forgets history up to now: watches and continue tokens from older versions get 410. */
    compact(): void {
      compactedAt = revision;
      history.splice(0, history.length);
      snapshots.clear();
    },
    /** Keeps watch events from being sent until `release()`. */
    hold(): void {
      held = true;
    },
    release(): void {
      held = false;
      for (const watcher of watchers) {
        for (const event of watcher.held.splice(0)) watcher.sink.write(event);
      }
    },
    /** Sends a BOOKMARK at the current resourceVersion to watches that asked for them. */
    bookmark(): void {
      for (const watcher of watchers) {
        if (!watcher.bookmarks) continue;
        const [group = '', version = '', plural = ''] = watcher.resource.split('/');
        const t = { group, version, plural };
        const object = {
          apiVersion: apiVersionOf(t),
          kind: kindOf(t),
          metadata: { resourceVersion: String(revision) },
        };
        deliverRaw(watcher, { type: 'BOOKMARK', object });
      }
    },
  };
}

export type FakeStore = ReturnType<typeof createFakeStore>;

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (!v || typeof v !== 'object' || Array.isArray(v)) return v;
    const sorted = Object.entries(v as Record<string, unknown>)
      .filter(([k]) => k !== 'resourceVersion')
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return Object.fromEntries(sorted);
  });
}

/** RFC 7386 JSON merge patch. */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (!patch || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const result: Record<string, unknown> =
    target && typeof target === 'object' && !Array.isArray(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

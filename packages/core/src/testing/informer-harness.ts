import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createInformer, type Informer, type InformerOptions } from '../kube/informer.ts';
import { createKubeClient, type KubeClient, type KubeClientConfig } from '../kube/kube-client.ts';
import type { KubeObject } from '../kube/kube-object.ts';
import { resourcePath } from '../kube/resource-path.ts';

export interface ConfigMap extends KubeObject {
  data?: Record<string, string>;
}

/** How scenarios change ConfigMaps behind the informer's back. */
export interface ConfigMapWriter {
  create(
    name: string,
    data: Record<string, string>,
    labels: Record<string, string>,
  ): Promise<ConfigMap>;
  update(name: string, data: Record<string, string>): Promise<ConfigMap>;
  remove(name: string): Promise<void>;
}

/**
 * A server the informer scenarios run against. Only `kubeConfig` and `namespace` are
 * required (a real API server offers those); each fault a harness can inject unlocks the
 * scenarios that need it, the others are skipped.
 */
export interface InformerHarness {
  kubeConfig(): KubeClientConfig;
  /** A namespace the scenarios may create ConfigMaps in. */
  namespace: string;
  /** Defaults to writes through the API (see {@link apiConfigMapWriter}). */
  writer?: ConfigMapWriter;
  /** Writes that still work while `serverDown` is in effect. */
  writerWhileDown?: ConfigMapWriter;
  /** How long a scenario waits for the informer to converge (default 5000 ms). */
  timeoutMs?: number;
  dropWatches?(): void | Promise<void>;
  /** Runs `changes` unseen by open watches, then expires their resourceVersions (410 Gone). */
  expireDuring?(changes: () => Promise<void>, style: 'status' | 'event'): Promise<void>;
  serverDown?(): Promise<void>;
  serverUp?(): Promise<void>;
  sendBookmarks?(): void | Promise<void>;
  /** New watches get a 200 and then silence. */
  stallWatches?(stalled: boolean): void;
  writeToWatches?(text: string): void | Promise<void>;
  /** The next `count` watch requests fail with HTTP 500. */
  failWatches?(count: number): void;
}

export function apiConfigMapWriter(kc: KubeClientConfig, namespace: string): ConfigMapWriter {
  const client = createKubeClient(kc);
  const collection = resourcePath({ version: 'v1', plural: 'configmaps', namespace });
  return {
    create: (name, data, labels) =>
      client.request<ConfigMap>({
        method: 'POST',
        path: collection,
        body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels }, data },
      }),
    update: (name, data) =>
      client.request<ConfigMap>({
        method: 'PATCH',
        path: `${collection}/${name}`,
        body: { data },
        contentType: 'application/merge-patch+json',
      }),
    remove: async (name) => {
      await client.request({ method: 'DELETE', path: `${collection}/${name}` });
    },
  };
}

export type RecordedEvent =
  | { type: 'add' | 'delete'; name: string; rv: string }
  | { type: 'update'; name: string; rv: string; oldRv: string; resync: boolean };

/** One scenario's world: unique names and label, its informer, what it emitted. */
export interface ScenarioContext {
  harness: InformerHarness;
  writer: ConfigMapWriter;
  /** Present when the harness can write while the server is down. */
  writerWhileDown?: ConfigMapWriter;
  labels: Record<string, string>;
  /** Scenario-unique object name. */
  name(short: string): string;
  events: RecordedEvent[];
  errors: Array<{ err: Error; retryInMs: number }>;
  informer: Informer<ConfigMap>;
  client: KubeClient;
  /** Retries `check` until it stops throwing or the harness timeout passes. */
  eventually(check: () => void): Promise<void>;
  /** Names in the cache, sorted. */
  cached(): string[];
}

export type InformerTuning = Partial<Omit<InformerOptions, 'client' | 'path' | 'labelSelector'>>;

const FAST: InformerTuning = {
  pageSize: 2,
  watchTimeoutSeconds: 30,
  backoff: { initialMs: 50, maxMs: 1000 },
  healthyAfterMs: 60_000,
};

/** Runs `body` with a fresh informer (not started) and cleans everything up afterwards. */
export async function withScenario(
  harness: InformerHarness,
  tuning: InformerTuning,
  body: (ctx: ScenarioContext) => Promise<void>,
): Promise<void> {
  const id = randomUUID().slice(0, 8);
  const labels = { 'loom.dev/scenario': id };
  const created = new Set<string>();
  const writer = trackingWriter(
    harness.writer ?? apiConfigMapWriter(harness.kubeConfig(), harness.namespace),
    created,
  );
  const client = createKubeClient(harness.kubeConfig());
  const path = resourcePath({ version: 'v1', plural: 'configmaps', namespace: harness.namespace });
  const informer = createInformer<ConfigMap>({
    ...FAST,
    ...tuning,
    client,
    path,
    labelSelector: `loom.dev/scenario=${id}`,
  });
  const ctx: ScenarioContext = {
    harness,
    writer,
    writerWhileDown: harness.writerWhileDown && trackingWriter(harness.writerWhileDown, created),
    labels,
    name: (short) => `${id}-${short}`,
    events: [],
    errors: [],
    informer,
    client,
    eventually: (check) => eventually(check, harness.timeoutMs ?? 5000),
    cached: () =>
      informer
        .list()
        .map((cm) => shortName(cm))
        .sort(),
  };
  record(ctx);
  try {
    await body(ctx);
  } finally {
    await informer.stop();
    client.close();
    // Real clusters keep what a scenario made; remove it (already-deleted names just 404).
    await Promise.allSettled([...created].map((name) => writer.remove(name)));
  }
}

function record(ctx: ScenarioContext): void {
  const rv = (obj: KubeObject) => obj.metadata?.resourceVersion ?? '';
  ctx.informer.on('add', (obj) =>
    ctx.events.push({ type: 'add', name: shortName(obj), rv: rv(obj) }),
  );
  ctx.informer.on('delete', (obj) =>
    ctx.events.push({ type: 'delete', name: shortName(obj), rv: rv(obj) }),
  );
  ctx.informer.on('update', (obj, old, { resync }) =>
    ctx.events.push({ type: 'update', name: shortName(obj), rv: rv(obj), oldRv: rv(old), resync }),
  );
  ctx.informer.on('error', (err, retryInMs) => ctx.errors.push({ err, retryInMs }));
}

/** The name without the scenario prefix, so assertions read `['a', 'b']`. */
function shortName(obj: KubeObject): string {
  return (obj.metadata?.name ?? '').replace(/^[0-9a-f]{8}-/, '');
}

/** `writer`, adding the name of everything it creates to `created` (for cleanup). */
export function trackingWriter(writer: ConfigMapWriter, created: Set<string>): ConfigMapWriter {
  return {
    create: (name, data, labels) => {
      created.add(name);
      return writer.create(name, data, labels);
    },
    update: (name, data) => writer.update(name, data),
    remove: (name) => writer.remove(name),
  };
}

export async function eventually(check: () => void, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    try {
      return check();
    } catch (err) {
      if (performance.now() > deadline) throw err;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Events as `type name` strings, e.g. `['add a', 'update b']`, for order-free comparison. */
export function summary(events: readonly RecordedEvent[]): string[] {
  return events.map((event) => `${event.type} ${event.name}`);
}

export function assertSameMembers(actual: readonly string[], expected: readonly string[]): void {
  assert.deepEqual([...actual].sort(), [...expected].sort());
}

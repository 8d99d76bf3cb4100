import { afterAll, describe, expect, it } from 'vitest';
import {
  createEventRecorder,
  createKubeClient,
  type KubeObject,
  referenceTo,
} from '../../src/kube/index.ts';
import { createFakeApiServer } from '../../src/testing/index.ts';

const fake = await createFakeApiServer();
const client = createKubeClient(fake.kubeConfig());
afterAll(async () => {
  client.close();
  await fake.close();
});

const eventsIn = (namespace: string) =>
  fake.store.list({ group: '', version: 'v1', plural: 'events', namespace }, {}).items;

describe('event recorder', () => {
  const recorder = createEventRecorder({
    client,
    component: 'loom-test',
    host: 'node1',
    now: () => new Date('2026-03-01T10:20:30.456Z'),
  });

  it.each([
    {
      what: 'a cluster-scoped Node, in default (where kubectl describe node looks)',
      object: { metadata: { name: 'node3', uid: 'u-3' } },
      kind: 'Node',
      namespace: 'default',
    },
    {
      what: 'a namespaced Service, in its own namespace',
      object: { metadata: { name: 'web', namespace: 'shop', uid: 'u-web' } },
      kind: 'Service',
      namespace: 'shop',
    },
  ])('records an Event about $what', async ({ object, kind, namespace }) => {
    await recorder.record(referenceTo(object as KubeObject, kind), {
      type: 'Warning',
      reason: 'SomethingFailed',
      message: `${kind} is unhappy`,
    });
    const [event] = eventsIn(namespace).filter((e) => e.reason === 'SomethingFailed');
    expect(event).toMatchObject({
      type: 'Warning',
      message: `${kind} is unhappy`,
      involvedObject: {
        kind,
        apiVersion: 'v1',
        name: object.metadata.name,
        uid: object.metadata.uid,
      },
      source: { component: 'loom-test', host: 'node1' },
      firstTimestamp: '2026-03-01T10:20:30Z',
      count: 1,
    });
    expect(event?.metadata?.name).toMatch(new RegExp(`^${object.metadata.name}\\.`));
  });

  it('logs a failure to record and does not throw', async () => {
    const warnings: string[] = [];
    const logger = {
      debug() {},
      info() {},
      error() {},
      warn: (fields: object, msg?: string) =>
        void warnings.push(`${msg} ${(fields as { reason: string }).reason}`),
    };
    const failing = createEventRecorder({ client, component: 'loom-test', logger });
    const remove = fake.intercept((req) =>
      req.path.endsWith('/events') ? { status: 403, reason: 'Forbidden' } : undefined,
    );
    try {
      await failing.record(referenceTo({ metadata: { name: 'node1' } }, 'Node'), {
        type: 'Normal',
        reason: 'Noted',
        message: 'hello',
      });
    } finally {
      remove();
    }
    expect(warnings).toEqual(['cannot record event Noted']);
  });
});

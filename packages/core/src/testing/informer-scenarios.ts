import assert from 'node:assert/strict';
import { WatchDecodeError } from '../kube/kube-errors.ts';
import {
  assertSameMembers,
  type InformerHarness,
  type InformerTuning,
  type ScenarioContext,
  summary,
  withScenario,
} from './informer-harness.ts';

export interface InformerScenario {
  name: string;
  /** Harness capabilities the scenario uses; without them it is skipped. */
  needs: ReadonlyArray<keyof InformerHarness>;
  run(harness: InformerHarness): Promise<void>;
}

export function scenarioSupported(scenario: InformerScenario, harness: InformerHarness): boolean {
  return scenario.needs.every((need) => harness[need] !== undefined);
}

function scenario(
  name: string,
  needs: InformerScenario['needs'],
  tuning: InformerTuning,
  body: (ctx: ScenarioContext) => Promise<void>,
): InformerScenario {
  return { name, needs, run: (harness) => withScenario(harness, tuning, body) };
}

/** Creates `names` with value `1` and starts the informer, returning once it has synced. */
async function seedAndSync(ctx: ScenarioContext, names: string[]): Promise<void> {
  for (const short of names) await ctx.writer.create(ctx.name(short), { v: '1' }, ctx.labels);
  ctx.informer.start();
  await ctx.informer.synced;
  assert.deepEqual(ctx.cached(), [...names].sort());
  assertSameMembers(
    summary(ctx.events),
    names.map((short) => `add ${short}`),
  );
  ctx.events.length = 0;
}

async function expectExactly(ctx: ScenarioContext, expected: string[], cache: string[]) {
  await ctx.eventually(() => {
    assertSameMembers(summary(ctx.events), expected);
    assert.deepEqual(ctx.cached(), cache);
  });
}

const listWatch = scenario(
  'lists in pages, then watches adds, updates and deletes',
  [],
  {},
  async (ctx) => {
    await seedAndSync(ctx, ['a', 'b', 'c', 'd', 'e']);
    assert.ok(ctx.informer.get(`${ctx.harness.namespace}/${ctx.name('a')}`), 'get(namespace/name)');
    await ctx.writer.update(ctx.name('b'), { v: '2' });
    await ctx.writer.remove(ctx.name('c'));
    await ctx.writer.create(ctx.name('f'), { v: '1' }, ctx.labels);
    await ctx.writer.create(ctx.name('other'), { v: '1' }, { 'loom.dev/scenario': 'someone-else' });
    await expectExactly(ctx, ['update b', 'delete c', 'add f'], ['a', 'b', 'd', 'e', 'f']);
    const update = ctx.events.find((event) => event.type === 'update');
    assert.ok(update?.type === 'update' && update.oldRv !== update.rv && !update.resync);
    assert.equal(ctx.informer.get(`${ctx.harness.namespace}/${ctx.name('b')}`)?.data?.v, '2');
  },
);

function relistAfterGone(style: 'status' | 'event'): InformerScenario {
  const how = style === 'status' ? 'an HTTP 410' : 'an in-stream ERROR 410';
  return scenario(
    `relists after ${how} and emits only the difference`,
    ['expireDuring'],
    {},
    async (ctx) => {
      await seedAndSync(ctx, ['a', 'b', 'c']);
      await ctx.harness.expireDuring?.(async () => {
        await ctx.writer.update(ctx.name('a'), { v: '2' });
        await ctx.writer.remove(ctx.name('b'));
        await ctx.writer.create(ctx.name('d'), { v: '1' }, ctx.labels);
      }, style);
      // `c` did not change, so it gets no event, although the relist saw it again.
      await expectExactly(ctx, ['update a', 'delete b', 'add d'], ['a', 'c', 'd']);
      assert.ok(ctx.errors.some(({ err }) => (err as { status?: number }).status === 410));
    },
  );
}

const droppedConnection = scenario(
  'reconnects after its connection drops and loses no event',
  ['dropWatches'],
  {},
  async (ctx) => {
    await seedAndSync(ctx, ['a']);
    const expected: string[] = [];
    for (const round of ['1', '2', '3']) {
      await ctx.harness.dropWatches?.();
      await ctx.writer.create(ctx.name(`n${round}`), { v: '1' }, ctx.labels);
      await ctx.writer.update(ctx.name('a'), { v: `round ${round}` });
      expected.push(`add n${round}`, 'update a');
      await expectExactly(ctx, expected, ['a', 'n1', 'n2', 'n3'].slice(0, Number(round) + 1));
    }
    assert.ok(ctx.errors.length >= 1, 'the drop surfaced as a recoverable error');
  },
);

const serverDown = scenario(
  'backs off while the server is down, then catches up',
  ['serverDown', 'serverUp', 'writerWhileDown'],
  { backoff: { initialMs: 50, maxMs: 2000, jitter: 0 } },
  async (ctx) => {
    await seedAndSync(ctx, ['a']);
    await ctx.harness.serverDown?.();
    await ctx.writerWhileDown?.create(ctx.name('b'), { v: '1' }, ctx.labels);
    await ctx.writerWhileDown?.update(ctx.name('a'), { v: '2' });
    await ctx.eventually(() => assert.ok(ctx.errors.length >= 4));
    const delays = ctx.errors.map(({ retryInMs }) => retryInMs);
    assert.deepEqual(delays.slice(0, 4), [50, 100, 200, 400], 'exponential backoff');
    await ctx.harness.serverUp?.();
    await expectExactly(ctx, ['add b', 'update a'], ['a', 'b']);
  },
);

const bookmarks = scenario(
  'advances its resourceVersion on BOOKMARK without emitting',
  ['sendBookmarks', 'dropWatches'],
  {},
  async (ctx) => {
    await seedAndSync(ctx, ['a']);
    const unrelated = await ctx.writer.create(ctx.name('x'), {}, { 'loom.dev/scenario': 'other' });
    assert.notEqual(ctx.informer.resourceVersion, unrelated.metadata?.resourceVersion);
    await ctx.harness.sendBookmarks?.();
    await ctx.eventually(() =>
      assert.equal(ctx.informer.resourceVersion, unrelated.metadata?.resourceVersion),
    );
    // The next watch starts from the bookmark and still sees later changes.
    await ctx.harness.dropWatches?.();
    await ctx.writer.create(ctx.name('b'), { v: '1' }, ctx.labels);
    await expectExactly(ctx, ['add b'], ['a', 'b']);
  },
);

const stopDuringBackoff = scenario(
  'stop() during a backoff wait resolves at once',
  ['serverDown', 'serverUp'],
  { backoff: { initialMs: 10_000, maxMs: 10_000 } },
  async (ctx) => {
    await seedAndSync(ctx, ['a']);
    await ctx.harness.serverDown?.();
    try {
      await ctx.eventually(() => assert.ok(ctx.errors.length >= 1));
      const begin = performance.now();
      await ctx.informer.stop();
      assert.ok(performance.now() - begin < 500, 'stop() did not wait out the backoff');
    } finally {
      await ctx.harness.serverUp?.();
    }
  },
);

const stalledWatch = scenario(
  'recycles a watch that went silent past its timeout',
  ['stallWatches', 'dropWatches'],
  { watchTimeoutSeconds: 1, stallGraceMs: 300 },
  async (ctx) => {
    await seedAndSync(ctx, ['a']);
    ctx.harness.stallWatches?.(true);
    await ctx.harness.dropWatches?.();
    await ctx.writer.create(ctx.name('b'), { v: '1' }, ctx.labels);
    const stalled = () => ctx.errors.some(({ err }) => /stalled/.test(err.message));
    await ctx.eventually(() => assert.ok(stalled(), 'the silent watch was cut'));
    ctx.harness.stallWatches?.(false);
    await expectExactly(ctx, ['add b'], ['a', 'b']);
  },
);

const malformedLine = scenario(
  're-watches after a malformed line without losing events',
  ['writeToWatches'],
  {},
  async (ctx) => {
    await seedAndSync(ctx, ['a']);
    await ctx.harness.writeToWatches?.('{"type":"ADDED","object":{\n');
    await ctx.writer.create(ctx.name('b'), { v: '1' }, ctx.labels);
    await expectExactly(ctx, ['add b'], ['a', 'b']);
    assert.ok(ctx.errors.some(({ err }) => err instanceof WatchDecodeError));
  },
);

const serverErrors = scenario(
  'retries watches answered with 500',
  ['failWatches', 'dropWatches'],
  {},
  async (ctx) => {
    await seedAndSync(ctx, ['a']);
    ctx.harness.failWatches?.(3);
    await ctx.harness.dropWatches?.();
    await ctx.writer.create(ctx.name('b'), { v: '1' }, ctx.labels);
    await expectExactly(ctx, ['add b'], ['a', 'b']);
    assert.equal(ctx.errors.filter(({ err }) => /500/.test(err.message)).length, 3);
  },
);

const resync = scenario(
  're-emits every cached object on resync',
  [],
  { resyncIntervalMs: 100 },
  async (ctx) => {
    await seedAndSync(ctx, ['a', 'b']);
    await ctx.eventually(() => {
      const resyncs = ctx.events.filter((event) => event.type === 'update' && event.resync);
      assert.ok(resyncs.filter((event) => event.name === 'a').length >= 2);
      assert.ok(resyncs.filter((event) => event.name === 'b').length >= 2);
    });
    assert.ok(
      ctx.events.every(
        (event) => event.type === 'update' && event.resync && event.rv === event.oldRv,
      ),
    );
  },
);

/** Every scenario; a harness runs those {@link scenarioSupported} by it. */
export const informerScenarios: readonly InformerScenario[] = [
  listWatch,
  relistAfterGone('status'),
  relistAfterGone('event'),
  droppedConnection,
  serverDown,
  bookmarks,
  stopDuringBackoff,
  stalledWatch,
  malformedLine,
  serverErrors,
  resync,
];

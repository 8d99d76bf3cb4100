import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createSyncRunner, type SyncRunnerOptions } from '../../src/kube/index.ts';

type Step = { at: number; do: 'start' | 'full' | 'stop' | `request ${string}` };

interface Timeline {
  name: string;
  steps: Step[];
  until: number;
  /** Which syncs (0-based) throw. */
  failing?: number[];
  /** How long each sync takes. */
  syncMs?: number;
  intervals?: Partial<Pick<SyncRunnerOptions, 'minIntervalMs' | 'maxIntervalMs'>>;
  /** One line per sync: `@<ms> <full|partial> [dirty keys] [✗ when it failed]`. */
  syncs: string[];
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** Plays the steps on fake time and returns the syncs the runner made. */
async function play(timeline: Timeline): Promise<string[]> {
  const t0 = performance.now();
  const syncs: string[] = [];
  let count = 0;
  const runner = createSyncRunner({
    minIntervalMs: 1000,
    maxIntervalMs: 10_000,
    ...timeline.intervals,
    retry: { initialMs: 1000, jitter: 0 },
    async sync({ dirty, full }) {
      const fails = timeline.failing?.includes(count++) ?? false;
      const keys = [...dirty].sort().join(',');
      syncs.push(
        [`@${performance.now() - t0}`, full ? 'full' : 'partial', keys, fails ? '✗' : '']
          .filter(Boolean)
          .join(' '),
      );
      if (timeline.syncMs) await new Promise((resolve) => setTimeout(resolve, timeline.syncMs));
      if (fails) throw new Error('sync failed');
    },
  });
  let now = 0;
  for (const step of timeline.steps) {
    await vi.advanceTimersByTimeAsync(step.at - now);
    now = step.at;
    if (step.do === 'start') runner.start();
    else if (step.do === 'full') runner.requestFull();
    else if (step.do === 'stop') await runner.stop();
    else runner.request(...step.do.slice('request '.length).split(','));
  }
  await vi.advanceTimersByTimeAsync(timeline.until - now);
  await runner.stop();
  return syncs;
}

describe('sync runner (min 1 s, max 10 s, retries from 1 s doubling)', () => {
  it.each<Timeline>([
    {
      name: 'runs a full sync at start, with what was requested before it',
      steps: [
        { at: 0, do: 'request a' },
        { at: 0, do: 'start' },
      ],
      until: 500,
      syncs: ['@0 full a'],
    },
    {
      name: 'coalesces a burst into one sync, no sooner than minInterval after the last',
      steps: [
        { at: 0, do: 'start' },
        { at: 100, do: 'request a' },
        { at: 200, do: 'request b' },
        { at: 300, do: 'request a' },
        { at: 900, do: 'request c' },
      ],
      until: 1500,
      syncs: ['@0 full', '@1000 partial a,b,c'],
    },
    {
      name: 'runs a request at once when minInterval has already passed',
      steps: [
        { at: 0, do: 'start' },
        { at: 5000, do: 'request a' },
      ],
      until: 5500,
      syncs: ['@0 full', '@5000 partial a'],
    },
    {
      name: 'syncs in full every maxInterval when nothing is requested',
      steps: [{ at: 0, do: 'start' }],
      until: 25_000,
      syncs: ['@0 full', '@10000 full', '@20000 full'],
    },
    {
      name: 'counts maxInterval from the last sync, requested or periodic',
      steps: [
        { at: 0, do: 'start' },
        { at: 4000, do: 'request a' },
      ],
      until: 15_000,
      syncs: ['@0 full', '@4000 partial a', '@14000 full'],
    },
    {
      name: 'counts minInterval from the end of a slow sync, and runs what came during it once',
      syncMs: 500,
      steps: [
        { at: 0, do: 'start' },
        { at: 200, do: 'request a' },
        { at: 300, do: 'request b' },
      ],
      until: 2000,
      syncs: ['@0 full', '@1500 partial a,b'],
    },
    {
      name: 'retries a failure after a growing delay, in full, keeping its keys',
      failing: [1, 2],
      steps: [
        { at: 0, do: 'start' },
        { at: 2000, do: 'request a' },
      ],
      until: 6000,
      syncs: ['@0 full', '@2000 partial a ✗', '@3000 full a ✗', '@5000 full a'],
    },
    {
      name: 'does not cut a backoff short for new requests, which join the retry',
      failing: [1, 2, 3],
      steps: [
        { at: 0, do: 'start' },
        { at: 2000, do: 'request a' },
        { at: 5500, do: 'request b' },
      ],
      until: 9500,
      syncs: ['@0 full', '@2000 partial a ✗', '@3000 full a ✗', '@5000 full a ✗', '@9000 full a,b'],
    },
    {
      name: 'never waits longer than maxInterval between retries',
      intervals: { minIntervalMs: 0, maxIntervalMs: 3000 },
      failing: [0, 1, 2, 3, 4],
      steps: [{ at: 0, do: 'start' }],
      until: 9500,
      syncs: ['@0 full ✗', '@1000 full ✗', '@3000 full ✗', '@6000 full ✗', '@9000 full ✗'],
    },
    {
      name: 'makes the next sync full when asked',
      steps: [
        { at: 0, do: 'start' },
        { at: 1500, do: 'request a' },
        { at: 2000, do: 'full' },
      ],
      until: 3000,
      syncs: ['@0 full', '@1500 partial a', '@2500 full'],
    },
    {
      name: 'runs nothing after stop, requested or periodic',
      steps: [
        { at: 0, do: 'start' },
        { at: 500, do: 'request a' },
        { at: 600, do: 'stop' },
        { at: 700, do: 'request b' },
      ],
      until: 30_000,
      syncs: ['@0 full'],
    },
  ])('$name', async (timeline) => {
    expect(await play(timeline)).toEqual(timeline.syncs);
  });
});

describe('sync runner lifecycle', () => {
  it('stop() aborts the signal of a sync in progress and waits for it to end', async () => {
    const events: string[] = [];
    const runner = createSyncRunner({
      maxIntervalMs: 10_000,
      sync: ({ signal }) =>
        new Promise<void>((resolve) => {
          events.push('sync started');
          signal.addEventListener('abort', () => {
            events.push('sync aborted');
            setTimeout(resolve, 100);
          });
        }),
    });
    runner.start();
    await vi.advanceTimersByTimeAsync(0);
    const stopped = runner.stop().then(() => events.push('stopped'));
    await vi.advanceTimersByTimeAsync(100);
    await stopped;
    expect(events).toEqual(['sync started', 'sync aborted', 'stopped']);
  });

  it('idle() waits for the syncs owed, not for the periodic one', async () => {
    const runner = createSyncRunner({
      minIntervalMs: 1000,
      maxIntervalMs: 60_000,
      sync: () => new Promise((resolve) => setTimeout(resolve, 200)),
    });
    runner.start();
    await vi.advanceTimersByTimeAsync(100);
    runner.request('a'); // during the first sync (0–200): owed at 1200, done at 1400
    let idle = false;
    void runner.idle().then(() => {
      idle = true;
    });
    await vi.advanceTimersByTimeAsync(1200);
    expect(idle).toBe(false);
    await vi.advanceTimersByTimeAsync(200);
    expect(idle).toBe(true);
    await runner.stop();
  });

  it('reports depth, requests, retries and each sync to its metrics', async () => {
    const seen: string[] = [];
    let fail = true;
    const runner = createSyncRunner({
      maxIntervalMs: 10_000,
      retry: { initialMs: 500, jitter: 0 },
      metrics: {
        depth: (n) => seen.push(`depth ${n}`),
        request: () => seen.push('request'),
        retry: (ms) => seen.push(`retry ${ms}`),
        synced: (_s, outcome, full) => seen.push(`${outcome} ${full ? 'full' : 'partial'}`),
      },
      sync: () => {
        if (fail) throw new Error('no');
      },
    });
    runner.request('a', 'b');
    runner.start();
    await vi.advanceTimersByTimeAsync(0);
    fail = false;
    await vi.advanceTimersByTimeAsync(500);
    await runner.stop();
    expect(seen).toEqual([
      'request',
      'depth 2',
      'depth 0',
      'error full',
      'retry 500',
      'depth 0',
      'success full',
    ]);
  });

  it.each([
    { min: -1, max: 10, error: /minIntervalMs must be ≥ 0/ },
    { min: 10, max: 5, error: /maxIntervalMs must be > 0 and ≥ minIntervalMs \(10\), got 5/ },
    { min: 0, max: 0, error: /maxIntervalMs must be > 0/ },
  ])('refuses min $min, max $max', ({ min, max, error }) => {
    expect(() =>
      createSyncRunner({ minIntervalMs: min, maxIntervalMs: max, sync: () => {} }),
    ).toThrow(error);
  });
});

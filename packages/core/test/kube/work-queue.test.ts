import { describe, expect, it } from 'vitest';
import {
  createExponentialRateLimiter,
  createWorkQueue,
  type Reconcile,
} from '../../src/kube/index.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A reconcile whose calls stay open until released, to observe what runs concurrently. */
function gatedReconcile() {
  const calls: string[] = [];
  const open = new Map<string, () => void>();
  let running = 0;
  let maxRunning = 0;
  const perKey = new Map<string, number>();
  const reconcile: Reconcile = async (key) => {
    calls.push(key);
    running += 1;
    maxRunning = Math.max(maxRunning, running);
    perKey.set(key, (perKey.get(key) ?? 0) + 1);
    if ((perKey.get(key) ?? 0) > 1) throw new Error(`two reconciles of ${key} at once`);
    await new Promise<void>((resolve) => open.set(key, resolve));
    perKey.set(key, (perKey.get(key) ?? 1) - 1);
    running -= 1;
  };
  const release = async (key: string) => {
    await expect.poll(() => open.has(key)).toBe(true);
    open.get(key)?.();
    open.delete(key);
  };
  return {
    reconcile,
    calls,
    release,
    maxRunning: () => maxRunning,
    isOpen: (key: string) => open.has(key),
  };
}

describe('work queue', () => {
  it('coalesces a key added many times while queued', async () => {
    const calls: string[] = [];
    const queue = createWorkQueue({ reconcile: (key) => void calls.push(key) });
    for (const key of ['a', 'b', 'a', 'a', 'b', 'c']) queue.add(key);
    expect(queue.length).toBe(3);
    queue.start();
    await queue.idle();
    expect(calls).toEqual(['a', 'b', 'c']);
  });

  it('never reconciles one key twice at once, and re-runs a key re-added while in flight', async () => {
    const gate = gatedReconcile();
    const queue = createWorkQueue({ reconcile: gate.reconcile, concurrency: 4 });
    queue.start();
    queue.add('a');
    await expect.poll(() => gate.isOpen('a')).toBe(true);
    queue.add('a');
    queue.add('a');
    await sleep(20);
    expect(gate.calls).toEqual(['a']);
    await gate.release('a');
    await gate.release('a');
    await queue.idle();
    expect(gate.calls).toEqual(['a', 'a']);
  });

  it('runs up to `concurrency` different keys at once', async () => {
    const gate = gatedReconcile();
    const queue = createWorkQueue({ reconcile: gate.reconcile, concurrency: 2 });
    queue.start();
    for (const key of ['a', 'b', 'c']) queue.add(key);
    await sleep(20);
    expect(gate.calls).toEqual(['a', 'b']);
    await gate.release('a');
    await gate.release('b');
    await gate.release('c');
    await queue.idle();
    expect(gate.maxRunning()).toBe(2);
  });

  it('retries failures with growing per-key delays and forgets on success', async () => {
    const attempts: number[] = [];
    let failuresLeft = 4;
    const retries: number[] = [];
    const queue = createWorkQueue({
      reconcile: () => {
        attempts.push(performance.now());
        if (failuresLeft-- > 0) throw new Error('not yet');
      },
      rateLimiter: { baseDelayMs: 20 },
      metrics: { retry: (_key, delayMs) => retries.push(delayMs) },
    });
    queue.start();
    queue.add('a');
    await expect.poll(() => attempts.length, { timeout: 3000 }).toBe(5);
    expect(retries).toEqual([20, 40, 80, 160]);
    const gaps = attempts.slice(1).map((at, i) => at - (attempts[i] ?? 0));
    for (const [i, gap] of gaps.entries())
      expect(gap).toBeGreaterThanOrEqual((retries[i] ?? 0) - 2);
    // Success forgot the failures: the next failure starts from the base delay again.
    failuresLeft = 1;
    queue.add('a');
    await expect.poll(() => retries.length).toBe(5);
    expect(retries.at(-1)).toBe(20);
    await queue.shutdown();
  });

  it('gives up after maxRetries and reports it', async () => {
    const givenUp: Array<[string, number]> = [];
    let attempts = 0;
    const queue = createWorkQueue({
      reconcile: () => {
        attempts += 1;
        throw new Error('broken');
      },
      rateLimiter: { baseDelayMs: 1 },
      maxRetries: 3,
      onGiveUp: (key, _err, failures) => givenUp.push([key, failures]),
    });
    queue.start();
    queue.add('a');
    await expect.poll(() => givenUp).toEqual([['a', 4]]);
    expect(attempts).toBe(4);
  });

  it('shutdown stops intake and waits for in-flight reconciles', async () => {
    const gate = gatedReconcile();
    const queue = createWorkQueue({ reconcile: gate.reconcile });
    queue.start();
    queue.add('a');
    queue.add('b');
    await expect.poll(() => gate.isOpen('a')).toBe(true);
    let done = false;
    const shutdown = queue.shutdown().then(() => {
      done = true;
    });
    queue.add('c');
    await sleep(20);
    expect(done).toBe(false);
    await gate.release('a');
    await shutdown;
    expect(gate.calls).toEqual(['a']);
  });

  it('shutdown with drain processes what was queued', async () => {
    const calls: string[] = [];
    const queue = createWorkQueue({ reconcile: (key) => void calls.push(key) });
    queue.add('a');
    queue.add('b');
    queue.start();
    await queue.shutdown({ drain: true });
    expect(calls).toEqual(['a', 'b']);
  });

  it('honours requeueAfterMs and reports metrics', async () => {
    const calls: string[] = [];
    const depths: number[] = [];
    const processed: string[] = [];
    let adds = 0;
    const queue = createWorkQueue({
      reconcile: (key) => {
        calls.push(key);
        return calls.length === 1 ? { requeueAfterMs: 30 } : undefined;
      },
      metrics: {
        depth: (depth) => depths.push(depth),
        add: () => {
          adds += 1;
        },
        processed: (key, seconds, outcome) => processed.push(`${key} ${outcome} ${seconds >= 0}`),
      },
    });
    queue.start();
    queue.add('a');
    await expect.poll(() => calls).toEqual(['a', 'a']);
    expect(processed).toEqual(['a success true', 'a success true']);
    expect(adds).toBe(2);
    expect(depths).toEqual([1, 0, 1, 0]);
  });
});

describe('exponential rate limiter', () => {
  it('doubles per key up to the cap, independently per key', () => {
    const limiter = createExponentialRateLimiter({ baseDelayMs: 5, maxDelayMs: 30 });
    expect([1, 2, 3, 4, 5].map(() => limiter.when('a'))).toEqual([5, 10, 20, 30, 30]);
    expect(limiter.when('b')).toBe(5);
    expect(limiter.retries('a')).toBe(5);
    limiter.forget('a');
    expect(limiter.when('a')).toBe(5);
  });

  it('defaults to client-go: 5 ms doubling to 1000 s', () => {
    const limiter = createExponentialRateLimiter();
    const delays = Array.from({ length: 30 }, () => limiter.when('k'));
    expect(delays[0]).toBe(5);
    expect(delays.at(-1)).toBe(1_000_000);
  });
});

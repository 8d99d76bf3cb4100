import { describe, expect, it } from 'vitest';
import { createBackoff } from '../../src/kube/index.ts';

describe('backoff', () => {
  it('doubles from 200 ms to a 30 s cap by default', () => {
    const backoff = createBackoff({ random: () => 0 });
    const delays = Array.from({ length: 10 }, () => backoff.next());
    expect(delays).toEqual([200, 400, 800, 1600, 3200, 6400, 12800, 25600, 30000, 30000]);
  });

  it('adds at most `jitter` of the delay, never past the cap', () => {
    const backoff = createBackoff({
      initialMs: 100,
      maxMs: 1000,
      jitter: 0.5,
      random: () => 0.999,
    });
    expect([
      backoff.next(),
      backoff.next(),
      backoff.next(),
      backoff.next(),
      backoff.next(),
    ]).toEqual([150, 300, 600, 1000, 1000]);
  });

  it('starts over after reset', () => {
    const backoff = createBackoff({ initialMs: 10, jitter: 0 });
    backoff.next();
    backoff.next();
    expect(backoff.attempts).toBe(2);
    backoff.reset();
    expect(backoff.next()).toBe(10);
  });
});

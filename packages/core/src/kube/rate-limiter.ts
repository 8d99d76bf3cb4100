export interface RateLimiterOptions {
  /** Delay after the first failure, in ms (default 5, as client-go). */
  baseDelayMs?: number;
  /** Cap, in ms (default 1000 s, as client-go). */
  maxDelayMs?: number;
}

/** Per-key retry delays: each failure of a key doubles its next delay until `forget`. */
export interface RateLimiter {
  /** Records a failure of `key` and returns how long to wait before retrying it. */
  when(key: string): number;
  forget(key: string): void;
  /** Failures recorded for `key` since it was last forgotten. */
  retries(key: string): number;
}

/** client-go's ItemExponentialFailureRateLimiter: base·2^failures, capped. */
export function createExponentialRateLimiter(options: RateLimiterOptions = {}): RateLimiter {
  const base = options.baseDelayMs ?? 5;
  const max = options.maxDelayMs ?? 1_000_000;
  const failures = new Map<string, number>();
  return {
    when(key) {
      const count = failures.get(key) ?? 0;
      failures.set(key, count + 1);
      return Math.min(max, base * 2 ** count);
    },
    forget: (key) => void failures.delete(key),
    retries: (key) => failures.get(key) ?? 0,
  };
}

export interface BackoffOptions {
  /** First delay, in ms (default 200). */
  initialMs?: number;
  /** Cap, in ms (default 30 000). */
  maxMs?: number;
  /** Growth per attempt (default 2). */
  factor?: number;
  /** Adds up to this fraction of the delay at random, so many clients restarting together
   * do not retry in lockstep (default 0.2, as client-go's reflector). */
  jitter?: number;
  random?: () => number;
}

export interface Backoff {
  /** The delay before the next attempt; each call grows it. */
  next(): number;
  reset(): void;
  readonly attempts: number;
}

/** Capped exponential backoff with jitter. */
export function createBackoff(options: BackoffOptions = {}): Backoff {
  const initialMs = options.initialMs ?? 200;
  const maxMs = options.maxMs ?? 30_000;
  const factor = options.factor ?? 2;
  const jitter = options.jitter ?? 0.2;
  const random = options.random ?? Math.random;
  let attempts = 0;
  return {
    next() {
      const base = Math.min(maxMs, initialMs * factor ** attempts);
      attempts += 1;
      return Math.min(maxMs, Math.round(base * (1 + jitter * random())));
    },
    reset() {
      attempts = 0;
    },
    get attempts() {
      return attempts;
    },
  };
}

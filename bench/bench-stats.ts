/**
 * Fewer samples than this and a nearest-rank p99 is one of the few slowest (of 80, the
 * slowest; of 100, the 2nd slowest): the benches then print max, not p99. At 300 it is the
 * 4th slowest.
 */
export const P99_MIN_SAMPLES = 300;

/** The nearest-rank `q` quantile (0 < q ≤ 1) of `samples`; NaN when there are none. */
export function nearestRank(samples: readonly number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
}

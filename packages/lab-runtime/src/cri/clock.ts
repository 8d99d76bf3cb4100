// Wall-clock nanoseconds: CRI timestamps are int64 ns, and the CRI log format wants RFC 3339
// with nanoseconds. Date.now() has milliseconds only, so anchor the monotonic clock to it once.
const anchorNs = BigInt(Date.now()) * 1_000_000n - process.hrtime.bigint();

export function nowNs(): bigint {
  return process.hrtime.bigint() + anchorNs;
}

/** Nanoseconds since the epoch as the decimal string CRI's int64 fields carry. */
export function nowNsString(): string {
  return nowNs().toString();
}

/**
 * Go's `time.RFC3339Nano` in UTC, as containerd writes CRI log lines: the fraction keeps up to
 * nine digits with trailing zeros removed (and no dot when it is zero).
 */
export function formatRfc3339Nano(ns: bigint): string {
  const ms = Number(ns / 1_000_000n);
  const iso = new Date(ms).toISOString(); // 2026-11-26T13:35:47.123Z
  const fraction = (ns % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  return `${iso.slice(0, 19)}${fraction === '' ? '' : `.${fraction}`}Z`;
}

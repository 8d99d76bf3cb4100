import { countFlag, parseBenchArgs } from '../bench-flags.ts';
import { P99_MIN_SAMPLES } from '../bench-stats.ts';

/** One sample of each call per round: below this many rounds the table says max, not p99. */
export const P99_MIN_ROUNDS = P99_MIN_SAMPLES;

export interface CniBenchConfig {
  /** Measured rounds: one ADD, DEL and VERSION of each plugin per round. */
  rounds: number;
  /** Rounds run first and not counted (page cache, the bridges' creation). */
  warmup: number;
}

export type ParsedCniFlags = { help: true } | { help: false; config: CniBenchConfig };

export function parseCniFlags(argv: readonly string[]): ParsedCniFlags {
  const values = parseBenchArgs(argv, {
    rounds: { type: 'string', default: String(P99_MIN_ROUNDS) },
    warmup: { type: 'string', default: '5' },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) return { help: true };
  return {
    help: false,
    config: {
      rounds: countFlag('rounds', values.rounds, 1, 100_000),
      warmup: countFlag('warmup', values.warmup, 0, 10_000),
    },
  };
}

export function cniUsage(): string {
  return `Usage: bench/cni/run.ts [--rounds N] [--warmup N]

ADD, DEL and VERSION latency of loom-cni + loom-ipam against Debian's bridge + host-local.
Needs root; works in throwaway network namespaces only.

  --rounds N   measured rounds, 1 to 100000 (default ${P99_MIN_ROUNDS}); below ${P99_MIN_ROUNDS} the table
               shows max instead of p99, which so few samples cannot tell apart from it
  --warmup N   uncounted rounds first, 0 to 10000 (default 5)
`;
}

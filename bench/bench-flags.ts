import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';

/** A bench script's flags were wrong: the message says which and why; the script exits 2. */
export class BenchFlagsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BenchFlagsError';
  }
}

/**
 * node:util's parseArgs, strict (an unknown flag, a missing value or a stray positional is an
 * error), with its errors turned into usage errors.
 */
export function parseBenchArgs<Options extends ParseArgsOptionsConfig>(
  argv: readonly string[],
  options: Options,
) {
  try {
    return parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new BenchFlagsError((error as Error).message);
  }
}

/**
 * A count given as `--name value`: decimal digits only (no sign, fraction, exponent or blank,
 * which `Number()` would accept or turn into NaN), at least `min`, at most `max`.
 */
export function countFlag(name: string, raw: string, min: number, max?: number): number {
  const value = /^\d{1,9}$/.test(raw) ? Number(raw) : Number.NaN;
  const range = max === undefined ? `at least ${min}` : `from ${min} to ${max}`;
  if (Number.isNaN(value) || value < min || (max !== undefined && value > max)) {
    throw new BenchFlagsError(
      `--${name} must be a whole number ${range}, not ${JSON.stringify(raw)}`,
    );
  }
  return value;
}

import { CNI_ERROR, CniError } from './cni-error.ts';

// Reading JSON a peer sent (a configuration, a result): every wrong field is a decoding
// failure (code 6) that names where it is (`prevResult.ips[0].address`) and what it got.

export function decodeError(where: string, problem: string, cause?: unknown): CniError {
  return new CniError(CNI_ERROR.decodingFailure, `cannot decode ${where}: ${problem}`, { cause });
}

/** Runs a parser of `core/net` or the like, turning its error into a decoding failure. */
export function attempt(parse: () => unknown, where: string): void {
  try {
    parse();
  } catch (error) {
    throw decodeError(where, error instanceof Error ? error.message : String(error), error);
  }
}

export function asObject(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw decodeError(where, `expected an object, got ${describeValue(value)}`);
  }
  return value as Record<string, unknown>;
}

export function asArray(value: unknown, where: string): unknown[] {
  if (!Array.isArray(value))
    throw decodeError(where, `expected a list, got ${describeValue(value)}`);
  return value;
}

export function asString(value: unknown, where: string): string {
  if (typeof value !== 'string')
    throw decodeError(where, `expected a string, got ${describeValue(value)}`);
  return value;
}

export function asUint(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw decodeError(where, `expected a non-negative integer, got ${describeValue(value)}`);
  }
  return value;
}

/** A JSON value for a message: `null`, `a list`, `an object`, `number 5`, `string "x"`. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${JSON.stringify(value)}`;
}

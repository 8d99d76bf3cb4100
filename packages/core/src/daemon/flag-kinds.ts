import { type Cidr, parseCidr } from '../net/cidr.ts';
import type { FlagSpec } from './flag-table.ts';

/** A flag's text read as its kind: the value, or why it is not one. */
export type KindResult<Value> = { readonly value: Value } | { readonly why: string };

const quote = (text: string) => JSON.stringify(text);

/** Decimal digits only: `Number()` would also take ` 1`, `1e3`, `0x10` and `-0`. */
export function readInteger(text: string, min = 0, max?: number): KindResult<number> {
  const value = /^\d{1,15}$/.test(text) ? Number(text) : Number.NaN;
  if (value >= min && (max === undefined || value <= max)) return { value };
  const range = max === undefined ? `of at least ${min}` : `in ${min}-${max}`;
  return { why: `${quote(text)} is not an integer ${range}` };
}

export function readPort(text: string, min = 0): KindResult<number> {
  const read = readInteger(text, min, 65_535);
  return 'value' in read ? read : { why: `${quote(text)} is not a port (${min}-65535)` };
}

const DURATION_UNITS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;

/** `500ms`, `30s`, `2m`, `1.5h`; a bare number is seconds. */
export function readDuration(text: string, minMs = 0): KindResult<number> {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text);
  const unit = DURATION_UNITS[(match?.[2] ?? 's') as keyof typeof DURATION_UNITS];
  const ms = match ? Number(match[1]) * unit : Number.NaN;
  if (ms >= minMs) return { value: ms };
  const least = minMs > 0 ? ` of at least ${formatDuration(minMs)}` : '';
  return { why: `${quote(text)} is not a duration${least} (500ms, 30s, 2m)` };
}

/** The shortest exact spelling: 30000 → `30s`, 120000 → `2m`, 1500 → `1500ms`. */
export function formatDuration(ms: number): string {
  for (const unit of ['h', 'm', 's'] as const) {
    if (ms !== 0 && ms % DURATION_UNITS[unit] === 0) return `${ms / DURATION_UNITS[unit]}${unit}`;
  }
  return `${ms}ms`;
}

/** How a boolean is spelled in an environment variable. */
export function readBoolean(text: string): KindResult<boolean> {
  if (text === 'true' || text === '1') return { value: true };
  if (text === 'false' || text === '0') return { value: false };
  return { why: `${quote(text)} is not true or false` };
}

export function readChoice<Choice extends string>(
  text: string,
  choices: readonly Choice[],
): KindResult<Choice> {
  const choice = choices.find((c) => c === text);
  if (choice !== undefined) return { value: choice };
  return { why: `${quote(text)} is not one of ${choices.join(', ')}` };
}

/** `10.244.0.0/16, fd00:10:244::/56`: every CIDR must parse, and there must be one. */
export function readCidrList(text: string): KindResult<Cidr[]> {
  const texts = text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  if (texts.length === 0) return { why: 'at least one CIDR is required' };
  const cidrs: Cidr[] = [];
  const whys: string[] = [];
  for (const part of texts) {
    try {
      cidrs.push(parseCidr(part));
    } catch (error) {
      whys.push((error as Error).message);
    }
  }
  return whys.length === 0 ? { value: cidrs } : { why: whys.join('; ') };
}

/** Reads one given text as the kind of `spec` (booleans and lists are read elsewhere). */
export function readText(spec: FlagSpec, text: string): KindResult<unknown> {
  switch (spec.kind) {
    case 'string': {
      const why = spec.check?.(text);
      return why === undefined ? { value: text } : { why };
    }
    case 'number':
      return readInteger(text, spec.min, spec.max);
    case 'port':
      return readPort(text, spec.min);
    case 'duration':
      return readDuration(text, spec.min);
    case 'boolean':
      return readBoolean(text);
    case 'enum':
      return readChoice(text, spec.choices);
    case 'cidrs':
      return readCidrList(text);
    case 'repeatable':
      return { value: splitList(text, spec.separator) };
  }
}

/** One value of a repeatable flag, split at its separator, blanks dropped. */
export function splitList(text: string, separator: string | undefined): string[] {
  return (separator === undefined ? [text] : text.split(separator)).filter(Boolean);
}

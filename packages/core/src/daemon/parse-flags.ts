import { type ParseArgsOptionsConfig, parseArgs } from 'node:util';
import type { ParsedDaemonFlags } from './daemon-flags.ts';
import { type KindResult, readCidrList, readText, splitList } from './flag-kinds.ts';
import {
  envNamesOf,
  type FlagSpec,
  type FlagTable,
  type FlagValues,
  flagLabel,
} from './flag-table.ts';
import { FlagsError } from './flags-error.ts';

/** What node:util's parseArgs found on the command line, by flag name. */
type CommandLine = Record<string, string | boolean | string[] | undefined>;

/**
 * Cross-flag rules (an address plan, a combination): called once every flag is read, with
 * the names of the flags that failed, whose values are then their defaults. Returns problems.
 */
export type FlagCheck<Flags extends Record<string, FlagSpec>> = (
  values: FlagValues<Flags>,
  failed: ReadonlySet<keyof Flags>,
) => readonly string[];

/**
 * Reads a command's flags: each from the command line, else its variables (`LOOM_<FLAG>`, then
 * the flag's own), else its default. An empty value counts as not given, so `LOOM_MODE=` in a
 * manifest falls through to the default. Throws a {@link FlagsError} naming every bad flag.
 */
export function parseFlags<Flags extends Record<string, FlagSpec>>(
  table: FlagTable<Flags>,
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  check?: FlagCheck<Flags>,
): ParsedDaemonFlags<FlagValues<Flags>> {
  const subject = table.subject ?? table.command;
  let given: CommandLine;
  try {
    const options = argsOptions(table);
    given = parseArgs({ args: [...argv], options, allowNegative: true }).values as CommandLine;
  } catch (error) {
    // parseArgs' messages name the flag: "Unknown option '--x'", "Option '--mode <value>' argument missing".
    throw new FlagsError(subject, [(error as Error).message]);
  }
  if (given.help === true) return { help: true };
  const values: Record<string, unknown> = {};
  const failed = new Set<keyof Flags>();
  const problems: string[] = [];
  for (const [name, spec] of Object.entries(table.flags)) {
    const read = readFlag(table, name, spec, given[name], env);
    if ('value' in read) {
      values[name] = read.value;
      continue;
    }
    const fallback = defaultOf(table, name, spec);
    values[name] = 'value' in fallback ? fallback.value : undefined;
    failed.add(name);
    problems.push(`${flagLabel(table, name)}: ${read.why}`);
  }
  const config = values as FlagValues<Flags>;
  problems.push(...(check?.(config, failed) ?? []));
  if (problems.length > 0) throw new FlagsError(subject, problems);
  return { help: false, config };
}

function argsOptions(table: FlagTable): ParseArgsOptionsConfig {
  const options: ParseArgsOptionsConfig = { help: { type: 'boolean' } };
  for (const [name, spec] of Object.entries(table.flags)) {
    if (spec.kind === 'boolean') options[name] = { type: 'boolean' };
    else if (spec.kind === 'repeatable') options[name] = { type: 'string', multiple: true };
    else options[name] = { type: 'string' };
  }
  return options;
}

function readFlag(
  table: FlagTable,
  name: string,
  spec: FlagSpec,
  given: CommandLine[string],
  env: NodeJS.ProcessEnv,
): KindResult<unknown> {
  if (typeof given === 'boolean') return { value: given };
  if (Array.isArray(given)) {
    const separator = spec.kind === 'repeatable' ? spec.separator : undefined;
    const items = given.flatMap((text) => splitList(text, separator));
    if (items.length > 0) return { value: items };
  } else if (given !== undefined && given !== '') {
    return readText(spec, given);
  }
  const fromEnv = envNamesOf(table, name)
    .map((variable) => env[variable])
    .find((text) => text !== undefined && text !== '');
  if (fromEnv !== undefined) return readText(spec, fromEnv);
  return defaultOf(table, name, spec);
}

function defaultOf(table: FlagTable, name: string, spec: FlagSpec): KindResult<unknown> {
  switch (spec.kind) {
    case 'string':
      if (spec.default === undefined && spec.required === true) {
        return { why: requiredWhy(envNamesOf(table, name)) };
      }
      return { value: spec.default };
    case 'boolean':
      return { value: spec.default ?? false };
    case 'repeatable':
      return { value: [...(spec.default ?? [])] };
    case 'cidrs':
      return spec.default === undefined ? { value: [] } : cidrDefault(spec.default);
    default:
      return { value: spec.default };
  }
}

// The table's own default is not the user's to fix: a bad one is a bug.
function cidrDefault(texts: readonly string[]): KindResult<unknown> {
  const read = readCidrList(texts.join(','));
  if ('why' in read) throw new TypeError(`bad default CIDRs ${texts.join(',')}: ${read.why}`);
  return read;
}

// "required (or NODE_NAME)": the flag's label names its first variable; say what else will do.
function requiredWhy(variables: readonly string[]): string {
  const others = variables.slice(1);
  return others.length > 0 ? `required (or ${others.join(', ')})` : 'required';
}

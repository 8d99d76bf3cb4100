import type { Cidr } from '../net/cidr.ts';

/** What every flag has, whatever its kind. */
interface FlagBase {
  /**
   * One line for `--help` and the README. Backticks mark code for the README; `--help` prints
   * the text without them.
   */
  readonly help: string;
  /** The value's placeholder (`NAME`, `DIR`); each kind has its own default. */
  readonly arg?: string;
  /** More variables, read after the table's `<PREFIX><FLAG>` (e.g. NODE_NAME, as the downward API sets it). */
  readonly env?: readonly string[];
  /** Says what the default is when it is computed rather than a value (`all`, `KUBECONFIG, in-cluster, ~/.kube/config`). */
  readonly defaultText?: string;
}

export interface StringFlag extends FlagBase {
  readonly kind: 'string';
  readonly default?: string;
  readonly required?: boolean;
  /** Why `text` is not acceptable (`"x" is not …`), or undefined when it is. */
  readonly check?: (text: string) => string | undefined;
}

/** A whole number in `min`-`max`. */
export interface NumberFlag extends FlagBase {
  readonly kind: 'number';
  readonly default?: number;
  readonly min?: number;
  readonly max?: number;
}

/** A TCP/UDP port: a whole number in `min` (default 0, "pick one")-65535. */
export interface PortFlag extends FlagBase {
  readonly kind: 'port';
  readonly default?: number;
  readonly min?: number;
}

/** `500ms`, `30s`, `2m`, `1h` (a bare number is seconds), read as milliseconds. */
export interface DurationFlag extends FlagBase {
  readonly kind: 'duration';
  /** In milliseconds. */
  readonly default?: number;
  /** In milliseconds. */
  readonly min?: number;
}

/** `--name`, `--no-name`; from the environment `true`, `1`, `false` or `0`. Default false. */
export interface BooleanFlag extends FlagBase {
  readonly kind: 'boolean';
  readonly default?: boolean;
}

export interface EnumFlag<Choice extends string = string> extends FlagBase {
  readonly kind: 'enum';
  readonly choices: readonly Choice[];
  readonly default?: Choice;
}

/** Comma-separated CIDRs (dual-stack: one per family), at least one. */
export interface CidrListFlag extends FlagBase {
  readonly kind: 'cidrs';
  /** As text (`10.244.0.0/16`), parsed like a given value. */
  readonly default?: readonly string[];
}

/** Given any number of times; each value may hold several, split at `separator`. */
export interface RepeatableFlag extends FlagBase {
  readonly kind: 'repeatable';
  readonly default?: readonly string[];
  /** `:` for a PATH-like list; none keeps each value whole. */
  readonly separator?: string;
}

export type FlagSpec =
  | StringFlag
  | NumberFlag
  | PortFlag
  | DurationFlag
  | BooleanFlag
  | EnumFlag
  | CidrListFlag
  | RepeatableFlag;

export type FlagKind = FlagSpec['kind'];

/**
 * A command's flags as data: the parser, `--help` and the README's flag section are all
 * written from it, so they cannot drift apart.
 */
export interface FlagTable<Flags extends Record<string, FlagSpec> = Record<string, FlagSpec>> {
  /** The executable's name (`loom-route-agent`). */
  readonly command: string;
  /** How usage errors name the command (`invalid route agent flags`); default `command`. */
  readonly subject?: string;
  /** What follows the command in the usage line (`--node-name NAME [flags]`). */
  readonly synopsis: string;
  /** What the command does, for `--help`; may hold several lines. */
  readonly description: string;
  /** Every `--some-flag` can also come from `<envPrefix>SOME_FLAG`; the flag wins. */
  readonly envPrefix?: string;
  readonly flags: Flags;
}

type DefaultedOr<Spec, Value> = Spec extends { readonly default: unknown }
  ? Value
  : Value | undefined;

/** The value a flag of `Spec` yields. */
export type FlagValue<Spec> = Spec extends StringFlag
  ? Spec extends { readonly required: true }
    ? string
    : DefaultedOr<Spec, string>
  : Spec extends NumberFlag | PortFlag | DurationFlag
    ? DefaultedOr<Spec, number>
    : Spec extends BooleanFlag
      ? boolean
      : Spec extends EnumFlag<infer Choice>
        ? DefaultedOr<Spec, Choice>
        : Spec extends CidrListFlag
          ? Cidr[]
          : Spec extends RepeatableFlag
            ? string[]
            : never;

/** Every flag of a table, by name, with its value. */
export type FlagValues<Flags extends Record<string, FlagSpec>> = {
  -readonly [Name in keyof Flags]: FlagValue<Flags[Name]>;
};

/** Keeps the literal types of `table` (choices, `required: true`) so its values are typed. */
export function defineFlagTable<const Flags extends Record<string, FlagSpec>>(
  table: FlagTable<Flags>,
): FlagTable<Flags> {
  return table;
}

/** The variables a flag is read from, in order: `<PREFIX><FLAG>` first, then the flag's own. */
export function envNamesOf(table: FlagTable, name: string): string[] {
  const own = table.flags[name]?.env ?? [];
  if (table.envPrefix === undefined) return [...own];
  return [`${table.envPrefix}${name.toUpperCase().replaceAll('-', '_')}`, ...own];
}

/** How problems name a flag: `--mode (or LOOM_MODE)`. */
export function flagLabel(table: FlagTable, name: string): string {
  const [env] = envNamesOf(table, name);
  return env === undefined ? `--${name}` : `--${name} (or ${env})`;
}

const PLACEHOLDERS: Record<FlagKind, string> = {
  string: 'VALUE',
  number: 'N',
  port: 'PORT',
  duration: 'DURATION',
  boolean: '',
  enum: 'VALUE',
  cidrs: 'CIDRS',
  repeatable: 'VALUE',
};

/** `--name ARG`, or `--[no-]name` for a boolean. */
export function flagSynopsis(name: string, spec: FlagSpec): string {
  if (spec.kind === 'boolean') return `--[no-]${name}`;
  return `--${name} ${spec.arg ?? PLACEHOLDERS[spec.kind]}`;
}

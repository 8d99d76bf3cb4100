import type { NftJsonEntry } from '../json-output.ts';
import type { NftChainType, NftFamily, NftHook, NftPolicy } from './nft-objects.ts';
import type {
  NftChainState,
  NftElementState,
  NftRuleState,
  NftSetState,
  NftTableState,
} from './nft-state.ts';

/** `nft -j` objects, as nft 1.0.6 writes them (libnftables-json(5)); only what Loom reads. */
export interface NftJsonTable {
  family: NftFamily;
  name: string;
  handle?: number;
}

export interface NftJsonChain {
  family: NftFamily;
  table: string;
  name: string;
  handle?: number;
  type?: NftChainType;
  hook?: NftHook;
  prio?: number;
  policy?: NftPolicy;
}

/** A set, or a map (then `map` holds the value type). */
export interface NftJsonSet {
  family?: NftFamily;
  table?: string;
  name: string;
  handle?: number;
  type?: string | string[];
  map?: string | string[];
  flags?: string[];
  timeout?: number;
  comment?: string;
  elem?: unknown[];
}

export interface NftJsonRule {
  family: NftFamily;
  table: string;
  chain: string;
  handle?: number;
  comment?: string;
  expr?: unknown[];
}

type Verdict = 'accept' | 'drop' | 'continue' | 'return';
const VERDICTS: readonly Verdict[] = ['accept', 'drop', 'continue', 'return'];

// nft writes a concatenated key type as a list, a concatenated map value type as one string
// (`"ipv4_addr . inet_service"`); both become the list of parts.
function typeParts(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return typeof value === 'string' ? value.split(' . ') : value;
}

/**
 * One value of `nft -j` as nft writes it in text: `10.0.0.0/8` for a prefix, `a-b` for a
 * range, `goto svc-x` for a verdict. Shapes Loom does not know come back as their JSON, so a
 * comparison shows them rather than losing them.
 */
export function nftJsonValueText(value: unknown): string {
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  if (value !== null && typeof value === 'object') {
    const object = value as Record<string, unknown>;
    const prefix = object.prefix as { addr?: unknown; len?: unknown } | undefined;
    if (prefix !== undefined) return `${nftJsonValueText(prefix.addr)}/${String(prefix.len)}`;
    const range = object.range as unknown[] | undefined;
    if (Array.isArray(range)) return range.map(nftJsonValueText).join('-');
    for (const jump of ['goto', 'jump'] as const) {
      const target = (object[jump] as { target?: unknown } | undefined)?.target;
      if (typeof target === 'string') return `${jump} ${target}`;
    }
    const verdict = VERDICTS.find((v) => v in object);
    if (verdict !== undefined) return verdict;
  }
  return JSON.stringify(value);
}

/** The parts of a key or value: a concatenation's parts, or the one value. */
export function nftJsonParts(value: unknown): string[] {
  const concat = (value as { concat?: unknown } | null)?.concat;
  if (Array.isArray(concat)) return concat.map(nftJsonValueText);
  return [nftJsonValueText(value)];
}

// An element is a value, `{elem: {val, comment, timeout, expires}}` around one, or, in a
// map, a `[key, value]` pair whose key may be such a wrapper.
function elementState(item: unknown): NftElementState {
  const [keyItem, valueItem] = Array.isArray(item) ? item : [item, undefined];
  const wrapper = (keyItem as { elem?: { val?: unknown; comment?: unknown } } | null)?.elem;
  const key = nftJsonParts(wrapper === undefined ? keyItem : wrapper.val);
  const comment = typeof wrapper?.comment === 'string' ? wrapper.comment : undefined;
  return {
    key,
    ...(valueItem === undefined ? {} : { value: nftJsonParts(valueItem) }),
    ...(comment === undefined ? {} : { comment }),
  };
}

/** A set or map of `nft -j` output as plain state (elements in the kernel's order). */
export function nftSetState(
  set: NftJsonSet,
  kind: 'set' | 'map' = set.map ? 'map' : 'set',
): NftSetState {
  return {
    kind,
    name: set.name,
    type: typeParts(set.type),
    ...(kind === 'map' ? { value: typeParts(set.map) } : {}),
    flags: [...(set.flags ?? [])],
    ...(set.timeout === undefined ? {} : { timeoutSeconds: set.timeout }),
    ...(set.comment === undefined ? {} : { comment: set.comment }),
    elements: (set.elem ?? []).map(elementState),
  };
}

function chainState(chain: NftJsonChain, rules: NftRuleState[]): NftChainState {
  if (chain.type === undefined || chain.hook === undefined) return { name: chain.name, rules };
  const base = {
    type: chain.type,
    hook: chain.hook,
    priority: chain.prio ?? 0,
    policy: chain.policy ?? 'accept',
  };
  return { name: chain.name, base, rules };
}

function ruleState(rule: NftJsonRule): NftRuleState {
  return {
    ...(rule.handle === undefined ? {} : { handle: rule.handle }),
    ...(rule.comment === undefined ? {} : { comment: rule.comment }),
    expr: rule.expr ?? [],
  };
}

const tableKey = (family: string, name: string): string => `${family} ${name}`;

/**
 * The tables in the entries of `nft -j list table …` / `list ruleset` (nftJson's answer), with
 * their sets, maps, chains and rules, in the order nft listed them.
 */
export function parseNftTables(entries: readonly NftJsonEntry[]): NftTableState[] {
  const tables = new Map<
    string,
    { table: NftJsonTable; sets: NftSetState[]; chains: NftJsonChain[] }
  >();
  const rules = new Map<string, NftRuleState[]>();
  const of = (family: string | undefined, name: string | undefined) =>
    tables.get(tableKey(family ?? '', name ?? ''));
  for (const entry of entries) {
    if ('table' in entry) {
      const table = entry.table as NftJsonTable;
      tables.set(tableKey(table.family, table.name), { table, sets: [], chains: [] });
    } else if ('set' in entry || 'map' in entry) {
      const kind = 'set' in entry ? 'set' : 'map';
      const set = entry[kind] as NftJsonSet;
      of(set.family, set.table)?.sets.push(nftSetState(set, kind));
    } else if ('chain' in entry) {
      const chain = entry.chain as NftJsonChain;
      of(chain.family, chain.table)?.chains.push(chain);
    } else if ('rule' in entry) {
      const rule = entry.rule as NftJsonRule;
      const key = `${tableKey(rule.family, rule.table)} ${rule.chain}`;
      const chainRules = rules.get(key) ?? [];
      chainRules.push(ruleState(rule));
      rules.set(key, chainRules);
    }
  }
  return [...tables.values()].map(({ table, sets, chains }) => ({
    family: table.family,
    name: table.name,
    sets,
    chains: chains.map((chain) =>
      chainState(chain, rules.get(`${tableKey(table.family, table.name)} ${chain.name}`) ?? []),
    ),
  }));
}

/**
 * The nftables objects a transaction can name, as plain data. A transaction is bound to one
 * table (its family and name), so objects inside it carry only their own names.
 */

export type NftFamily = 'ip' | 'ip6' | 'inet' | 'arp' | 'bridge' | 'netdev';

/** The table a transaction works on. */
export interface NftTableRef {
  readonly family: NftFamily;
  readonly name: string;
}

export type NftChainType = 'filter' | 'nat' | 'route';

export type NftHook =
  | 'prerouting'
  | 'input'
  | 'forward'
  | 'output'
  | 'postrouting'
  | 'ingress'
  | 'egress';

/** nft's named priorities (`priority srcnat`); their numbers depend on the family. */
export type NftPriorityName =
  | 'raw'
  | 'mangle'
  | 'dstnat'
  | 'filter'
  | 'security'
  | 'srcnat'
  | 'out';

export type NftPolicy = 'accept' | 'drop';

/** What makes a chain a base chain: the netfilter hook it is attached to. */
export interface NftBaseChain {
  readonly type: NftChainType;
  readonly hook: NftHook;
  readonly priority: NftPriorityName | number;
  /** Absent: the kernel's default, accept. */
  readonly policy?: NftPolicy;
}

export interface NftTable {
  readonly kind: 'table';
  readonly comment?: string;
}

export interface NftChain {
  readonly kind: 'chain';
  readonly name: string;
  /** Absent for a regular chain, reached only by `jump` / `goto`. */
  readonly base?: NftBaseChain;
  readonly comment?: string;
}

/** A data type of a set key or map value; a concatenation is a list of them. */
export type NftDataType =
  | 'ipv4_addr'
  | 'ipv6_addr'
  | 'ether_addr'
  | 'inet_proto'
  | 'inet_service'
  | 'mark'
  | 'ifname'
  | 'integer';

export type NftSetFlag = 'constant' | 'interval' | 'timeout' | 'dynamic';

interface NftSetLike {
  readonly name: string;
  /** One type, or several for a concatenated key (`ipv4_addr . inet_proto . inet_service`). */
  readonly type: NftDataType | readonly NftDataType[];
  readonly flags?: readonly NftSetFlag[];
  /** Default element lifetime in seconds (needs the `timeout` flag). */
  readonly timeoutSeconds?: number;
  readonly comment?: string;
}

export interface NftSet extends NftSetLike {
  readonly kind: 'set';
}

export interface NftMap extends NftSetLike {
  readonly kind: 'map';
  /** `verdict` for a verdict map (`… vmap @m`), else the data type(s) of the values. */
  readonly value: 'verdict' | NftDataType | readonly NftDataType[];
}

/** An element of a set (no value) or a map (with a value). */
export interface NftElement {
  readonly kind: 'element';
  /** The set or map it belongs to. */
  readonly set: string;
  /** One value, or the parts of a concatenated key, each as nft writes it (`10.96.0.1`, `tcp`, `443`). */
  readonly key: string | readonly string[];
  /** A map's value: a verdict (`goto svc-x`, `drop`) or the parts of a data value. */
  readonly value?: string | readonly string[];
  readonly timeoutSeconds?: number;
  readonly comment?: string;
}

export interface NftRule {
  readonly kind: 'rule';
  readonly chain: string;
  /** The rule's statements as nft text (`ip saddr @pods4 masquerade`), without the comment. */
  readonly rule: string;
  readonly comment?: string;
}

/** A rule as `delete` names it: by the handle the kernel gave it. */
export interface NftRuleHandle {
  readonly kind: 'rule';
  readonly chain: string;
  readonly handle: number;
}

export type NftObject = NftTable | NftChain | NftSet | NftMap | NftElement | NftRule;

/** A chain by name alone, enough to flush or delete it. */
export type NftChainRef = Pick<NftChain, 'kind' | 'name'>;
/** A set or map by name alone, enough to flush or delete it. */
export interface NftSetRef {
  readonly kind: 'set' | 'map';
  readonly name: string;
}

/**
 * The verbs of `nft -f` a transaction uses. `add` creates what is missing and leaves what
 * exists; `create` fails on what exists; `delete` fails on what is missing.
 */
export type NftVerb = 'add' | 'create' | 'insert' | 'flush' | 'delete';

/** One line of a transaction. */
export interface NftOperation {
  readonly verb: NftVerb;
  readonly object: NftObject | NftSetRef | NftRuleHandle;
}

// Numbers of the named priorities (nft(8), "CHAIN PRIORITIES"); the bridge family has its own.
const PRIORITIES: Readonly<Partial<Record<NftPriorityName, number>>> = {
  raw: -300,
  mangle: -150,
  dstnat: -100,
  filter: 0,
  security: 50,
  srcnat: 100,
};
const BRIDGE_PRIORITIES: Readonly<Partial<Record<NftPriorityName, number>>> = {
  dstnat: -300,
  filter: -200,
  out: 100,
  srcnat: 300,
};

/** The number the kernel stores for a priority (`srcnat` in an inet table is 100). */
export function nftPriorityValue(family: NftFamily, priority: NftPriorityName | number): number {
  if (typeof priority === 'number') return priority;
  const value = family === 'bridge' ? BRIDGE_PRIORITIES[priority] : PRIORITIES[priority];
  if (value === undefined)
    throw new RangeError(`priority ${priority} has no value in family ${family}`);
  return value;
}

/** A key or value as its parts (a single value is one part). */
export function nftParts(value: string | readonly string[]): readonly string[] {
  return typeof value === 'string' ? [value] : value;
}

/** Parts of a concatenation as nft writes them: `10.96.0.1 . tcp . 443`. */
export function nftConcat(parts: string | readonly string[]): string {
  return typeof parts === 'string' ? parts : parts.join(' . ');
}

/** The chain a verdict (`goto svc-x`, `jump svc-x`) goes to, if it goes to one. */
export function nftVerdictChain(verdict: string): string | undefined {
  return /^(?:jump|goto) (\S+)$/.exec(verdict)?.[1];
}

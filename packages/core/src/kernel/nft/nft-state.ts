import type { NftChainType, NftFamily, NftHook, NftPolicy } from './nft-objects.ts';

/**
 * What a table holds, as plain data, read from the kernel (`nft -j list table`, see
 * parseNftTables) or from the fake. Keys and values are nft's text forms, one string per part
 * of a concatenation: `['10.96.0.1', 'tcp', '443']`, a verdict as `['goto svc-x']`.
 */
export interface NftTableState {
  readonly family: NftFamily;
  readonly name: string;
  /** Sets and maps. */
  readonly sets: readonly NftSetState[];
  readonly chains: readonly NftChainState[];
}

export interface NftChainState {
  readonly name: string;
  readonly base?: {
    readonly type: NftChainType;
    readonly hook: NftHook;
    /** The kernel's number (`srcnat` in an inet table is 100). */
    readonly priority: number;
    readonly policy: NftPolicy;
  };
  readonly rules: readonly NftRuleState[];
}

export interface NftRuleState {
  readonly handle?: number;
  readonly comment?: string;
  /** The rule as written (the fake keeps it; the kernel's JSON has `expr` instead). */
  readonly text?: string;
  /** The kernel's expressions of the rule (`nft -j`). */
  readonly expr?: readonly unknown[];
}

export interface NftSetState {
  readonly kind: 'set' | 'map';
  readonly name: string;
  readonly type: readonly string[];
  /** A map's value type(s), `['verdict']` for a verdict map. */
  readonly value?: readonly string[];
  readonly flags: readonly string[];
  readonly timeoutSeconds?: number;
  readonly comment?: string;
  readonly elements: readonly NftElementState[];
}

export interface NftElementState {
  readonly key: readonly string[];
  readonly value?: readonly string[];
  readonly comment?: string;
}

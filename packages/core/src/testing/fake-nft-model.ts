import type { NftBaseChain, NftFamily } from '../kernel/nft/nft-objects.ts';
import type { RuleReferences } from './fake-nft-references.ts';

/** The fake's tables. Rules and elements are never changed in place, so a copy shares them. */
export interface FakeTable {
  readonly family: NftFamily;
  readonly name: string;
  comment: string | undefined;
  /** The kernel numbers chains, sets and rules per table, from 1, in the order they are made. */
  nextHandle: number;
  readonly sets: Map<string, FakeSet>;
  readonly chains: Map<string, FakeChain>;
}

export interface FakeChain {
  readonly name: string;
  readonly handle: number;
  base: NftBaseChain | undefined;
  readonly comment: string | undefined;
  rules: FakeRule[];
}

export interface FakeRule {
  readonly handle: number;
  readonly text: string;
  readonly comment: string | undefined;
  readonly references: RuleReferences;
}

export interface FakeSet {
  readonly kind: 'set' | 'map';
  readonly name: string;
  readonly handle: number;
  readonly type: readonly string[];
  readonly value: readonly string[] | undefined;
  readonly flags: readonly string[];
  readonly timeoutSeconds: number | undefined;
  readonly comment: string | undefined;
  readonly elements: Map<string, FakeElement>;
}

export interface FakeElement {
  readonly key: readonly string[];
  readonly value: readonly string[] | undefined;
  readonly comment: string | undefined;
}

/** A copy a transaction can change without touching the original (copy-on-apply). */
export function copyTable(table: FakeTable): FakeTable {
  const sets = new Map<string, FakeSet>();
  for (const [name, set] of table.sets) sets.set(name, { ...set, elements: new Map(set.elements) });
  const chains = new Map<string, FakeChain>();
  for (const [name, chain] of table.chains) chains.set(name, { ...chain, rules: [...chain.rules] });
  return { ...table, sets, chains };
}

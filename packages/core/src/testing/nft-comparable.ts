import type { NftTableState } from '../kernel/nft/nft-state.ts';

/** A table with what the kernel and the fake can both know, in an order both agree on. */
export interface ComparableNftTable {
  family: string;
  name: string;
  sets: Array<{
    kind: string;
    name: string;
    type: string;
    value?: string;
    flags: string[];
    timeoutSeconds?: number;
    comment?: string;
    /** `key [: value] [# comment]`, sorted. */
    elements: string[];
  }>;
  chains: Array<{
    name: string;
    base?: string;
    /** Rules in order, by comment: rule bodies differ (text in the fake, expressions in the kernel). */
    rules: Array<string | null>;
  }>;
}

const byName = <T extends { name: string }>(a: T, b: T) =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : 0;

/**
 * `state` reduced to what a comparison of kernel and fake can rely on: no handles, no rule
 * bodies (only their number, order and comments), elements as sorted text, sets and chains by
 * name. nft 1.0.6's JSON has no table or chain comments and no `dynamic` set flag, so none
 * of them is compared.
 */
export function comparableNftTable(state: NftTableState): ComparableNftTable {
  return {
    family: state.family,
    name: state.name,
    sets: [...state.sets]
      .map((set) => ({
        kind: set.kind,
        name: set.name,
        type: set.type.join(' . '),
        ...(set.value === undefined ? {} : { value: set.value.join(' . ') }),
        // nft 1.0.6's JSON leaves out the `dynamic` flag (`nft list` shows it).
        flags: set.flags.filter((flag) => flag !== 'dynamic').sort(),
        ...(set.timeoutSeconds === undefined ? {} : { timeoutSeconds: set.timeoutSeconds }),
        ...(set.comment === undefined ? {} : { comment: set.comment }),
        elements: set.elements
          .map((element) => {
            const value = element.value === undefined ? '' : ` : ${element.value.join(' . ')}`;
            const comment = element.comment === undefined ? '' : ` # ${element.comment}`;
            return `${element.key.join(' . ')}${value}${comment}`;
          })
          .sort(),
      }))
      .sort(byName),
    chains: [...state.chains]
      .map((chain) => {
        const { base } = chain;
        return {
          name: chain.name,
          ...(base === undefined
            ? {}
            : { base: `${base.type} ${base.hook} ${base.priority} ${base.policy}` }),
          rules: chain.rules.map((rule) => rule.comment ?? null),
        };
      })
      .sort(byName),
  };
}

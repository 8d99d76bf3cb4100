import { nftConcat, nftPriorityValue } from '../kernel/nft/nft-objects.ts';
import { nftQuote } from '../kernel/nft/nft-render.ts';
import type { NftChainState, NftSetState, NftTableState } from '../kernel/nft/nft-state.ts';
import type { FakeChain, FakeElement, FakeSet, FakeTable } from './fake-nft-model.ts';

const byName = <T extends { name: string }>(a: T, b: T) =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : 0;

function elementText(element: FakeElement): string {
  const comment = element.comment === undefined ? '' : ` comment ${nftQuote(element.comment)}`;
  const value = element.value === undefined ? '' : ` : ${nftConcat(element.value)}`;
  return `${nftConcat(element.key)}${comment}${value}`;
}

function setLines(set: FakeSet): string[] {
  const type = nftConcat(set.type);
  const lines = [`\t${set.kind} ${set.name} {`];
  lines.push(`\t\ttype ${set.value === undefined ? type : `${type} : ${nftConcat(set.value)}`}`);
  if (set.flags.length > 0) lines.push(`\t\tflags ${set.flags.join(',')}`);
  if (set.timeoutSeconds !== undefined) lines.push(`\t\ttimeout ${set.timeoutSeconds}s`);
  if (set.comment !== undefined) lines.push(`\t\tcomment ${nftQuote(set.comment)}`);
  const elements = [...set.elements.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (elements.length > 0) {
    lines.push(
      `\t\telements = { ${elements.map(([, element]) => elementText(element)).join(', ')} }`,
    );
  }
  lines.push('\t}');
  return lines;
}

function chainLines(chain: FakeChain): string[] {
  const lines = [`\tchain ${chain.name} {`];
  if (chain.comment !== undefined) lines.push(`\t\tcomment ${nftQuote(chain.comment)}`);
  const { base } = chain;
  if (base !== undefined) {
    lines.push(
      `\t\ttype ${base.type} hook ${base.hook} priority ${base.priority}; policy ${base.policy ?? 'accept'};`,
    );
  }
  for (const rule of chain.rules) {
    const comment = rule.comment === undefined ? '' : ` comment ${nftQuote(rule.comment)}`;
    lines.push(`\t\t${rule.text}${comment}`);
  }
  lines.push('\t}');
  return lines;
}

/**
 * The tables as `nft list ruleset` lays them out, normalized for golden tests: tables, then
 * their sets and maps, then chains, each by name; elements by key; rules as written, in order.
 */
export function dumpFakeTables(tables: Iterable<FakeTable>): string {
  const sorted = [...tables].sort((a, b) => {
    const left = `${a.family} ${a.name}`;
    const right = `${b.family} ${b.name}`;
    return left < right ? -1 : left > right ? 1 : 0;
  });
  return sorted
    .map((table) => {
      const blocks = [
        ...[...table.sets.values()].sort(byName).map(setLines),
        ...[...table.chains.values()].sort(byName).map(chainLines),
      ].map((lines) => lines.join('\n'));
      const comment = table.comment === undefined ? [] : [`\tcomment ${nftQuote(table.comment)}`];
      return [`table ${table.family} ${table.name} {`, ...comment, blocks.join('\n\n'), '}']
        .filter((line) => line !== '')
        .join('\n');
    })
    .map((table) => `${table}\n`)
    .join('');
}

function setState(set: FakeSet): NftSetState {
  return {
    kind: set.kind,
    name: set.name,
    type: set.type,
    ...(set.value === undefined ? {} : { value: set.value }),
    flags: set.flags,
    ...(set.timeoutSeconds === undefined ? {} : { timeoutSeconds: set.timeoutSeconds }),
    ...(set.comment === undefined ? {} : { comment: set.comment }),
    elements: [...set.elements.values()].map((element) => ({
      key: element.key,
      ...(element.value === undefined ? {} : { value: element.value }),
      ...(element.comment === undefined ? {} : { comment: element.comment }),
    })),
  };
}

function chainState(table: FakeTable, chain: FakeChain): NftChainState {
  const rules = chain.rules.map((rule) => ({
    handle: rule.handle,
    text: rule.text,
    ...(rule.comment === undefined ? {} : { comment: rule.comment }),
  }));
  const { base } = chain;
  if (base === undefined) return { name: chain.name, rules };
  return {
    name: chain.name,
    base: {
      type: base.type,
      hook: base.hook,
      priority: nftPriorityValue(table.family, base.priority),
      policy: base.policy ?? 'accept',
    },
    rules,
  };
}

/** A fake table as the same plain state parseNftTables reads from the kernel. */
export function fakeTableState(table: FakeTable): NftTableState {
  return {
    family: table.family,
    name: table.name,
    sets: [...table.sets.values()].map(setState),
    chains: [...table.chains.values()].map((chain) => chainState(table, chain)),
  };
}

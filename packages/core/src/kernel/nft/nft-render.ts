import type {
  NftBaseChain,
  NftChain,
  NftElement,
  NftMap,
  NftObject,
  NftOperation,
  NftRuleHandle,
  NftSet,
  NftSetRef,
  NftTable,
  NftTableRef,
} from './nft-objects.ts';
import { nftConcat } from './nft-objects.ts';

/**
 * One operation as one line of `nft -f` input, e.g.
 * `add chain inet loom-cni masq-1a2b { type nat hook postrouting priority srcnat; policy accept; }`.
 * The input was validated when the operation was added, so rendering only joins strings.
 */
export function renderNftOperation(table: NftTableRef, operation: NftOperation): string {
  const { verb, object } = operation;
  const where = `${table.family} ${table.name}`;
  switch (object.kind) {
    case 'table':
      return `${verb} table ${where}${verb === 'add' || verb === 'create' ? tableBody(object) : ''}`;
    case 'chain':
      return `${verb} chain ${where} ${object.name}${declares(verb) ? chainBody(object) : ''}`;
    case 'set':
    case 'map':
      return `${verb} ${object.kind} ${where} ${object.name}${declares(verb) ? setBody(object) : ''}`;
    case 'element':
      return `${verb} element ${where} ${object.set} { ${elementBody(object, verb !== 'delete')} }`;
    case 'rule':
      if ('handle' in object) return `${verb} rule ${where} ${ruleHandleBody(object)}`;
      return `${verb} rule ${where} ${object.chain} ${object.rule}${commentSuffix(object.comment)}`;
  }
}

function declares(verb: NftOperation['verb']): boolean {
  return verb === 'add' || verb === 'create';
}

/** `"text"`; the text was checked to hold no quote, so nothing needs escaping. */
export function nftQuote(text: string): string {
  return `"${text}"`;
}

function commentSuffix(comment: string | undefined): string {
  return comment === undefined ? '' : ` comment ${nftQuote(comment)}`;
}

// `{ a; b; }`, or nothing when there is nothing to declare, as nft itself accepts.
function block(statements: readonly string[]): string {
  return statements.length === 0 ? '' : ` { ${statements.map((s) => `${s};`).join(' ')} }`;
}

function tableBody(table: NftTable): string {
  return block(table.comment === undefined ? [] : [`comment ${nftQuote(table.comment)}`]);
}

function baseChainStatements(base: NftBaseChain): string[] {
  const hook = `type ${base.type} hook ${base.hook} priority ${base.priority}`;
  return base.policy === undefined ? [hook] : [hook, `policy ${base.policy}`];
}

function chainBody(chain: NftChain): string {
  const statements = chain.base === undefined ? [] : baseChainStatements(chain.base);
  if (chain.comment !== undefined) statements.push(`comment ${nftQuote(chain.comment)}`);
  return block(statements);
}

function typeText(type: NftMap['value']): string {
  return nftConcat(type);
}

function setBody(set: NftSet | NftMap | NftSetRef): string {
  if (!('type' in set)) return '';
  const type =
    set.kind === 'map' ? `${typeText(set.type)} : ${typeText(set.value)}` : typeText(set.type);
  const statements = [`type ${type}`];
  if (set.flags !== undefined && set.flags.length > 0)
    statements.push(`flags ${set.flags.join(',')}`);
  if (set.timeoutSeconds !== undefined) statements.push(`timeout ${set.timeoutSeconds}s`);
  if (set.comment !== undefined) statements.push(`comment ${nftQuote(set.comment)}`);
  return block(statements);
}

/** `key [timeout Ns] [comment "…"] [: value]`: nft wants an element's options before the colon. */
function elementBody(element: NftElement, withData: boolean): string {
  let text = nftConcat(element.key);
  if (!withData) return text;
  if (element.timeoutSeconds !== undefined) text += ` timeout ${element.timeoutSeconds}s`;
  text += commentSuffix(element.comment);
  if (element.value !== undefined) text += ` : ${nftConcat(element.value)}`;
  return text;
}

function ruleHandleBody(rule: NftRuleHandle): string {
  return `${rule.chain} handle ${rule.handle}`;
}

/** An anonymous set in rule text: `10.0.0.0/8` alone, `{ 10.0.0.0/8, 224.0.0.0/4 }` for more. */
export function nftAnonymousSet(values: readonly string[]): string {
  if (values.length === 1) return values[0] as string;
  return `{ ${values.join(', ')} }`;
}

/** The label errors use for an object: `chain inet loom-cni masq-1a2b`. */
export function nftObjectLabel(
  table: NftTableRef,
  object: NftObject | NftSetRef | NftRuleHandle,
): string {
  const where = `${table.family} ${table.name}`;
  switch (object.kind) {
    case 'table':
      return `table ${where}`;
    case 'chain':
    case 'set':
    case 'map':
      return `${object.kind} ${where} ${object.name}`;
    case 'element':
      return `element ${where} ${object.set} { ${nftConcat(object.key)} }`;
    case 'rule':
      return `rule ${where} ${object.chain}`;
  }
}

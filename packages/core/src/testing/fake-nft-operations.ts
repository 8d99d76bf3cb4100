import type {
  NftChain,
  NftElement,
  NftMap,
  NftOperation,
  NftRule,
  NftRuleHandle,
  NftSet,
  NftSetRef,
  NftTable,
  NftTableRef,
  NftVerb,
} from '../kernel/nft/nft-objects.ts';
import {
  nftConcat,
  nftParts,
  nftPriorityValue,
  nftVerdictChain,
} from '../kernel/nft/nft-objects.ts';
import type { FakeChain, FakeSet, FakeTable } from './fake-nft-model.ts';
import { ruleReferences } from './fake-nft-references.ts';

/** nft's own words for each refusal, so the fake's errors classify as the kernel's do. */
export const NFT_ERRORS = {
  notFound: 'Could not process rule: No such file or directory',
  exists: 'Could not process rule: File exists',
  busy: 'Could not process rule: Device or resource busy',
  unsupported: 'Could not process rule: Operation not supported',
  invalid: 'Could not process rule: Invalid argument',
  notAMap: 'Expression is not a map',
  setIsNotAMap: 'set is not a map',
  needsInterval:
    "You must add 'flags interval' to your set declaration if you want to add prefix elements",
  wrongFamily: 'Could not resolve hostname: Address family for hostname not supported',
} as const;

/** A refusal: nft's message, and the fake's reason in words. */
export class FakeNftRejection extends Error {
  readonly nftError: string;
  constructor(nftError: string, why: string) {
    super(why);
    this.name = 'FakeNftRejection';
    this.nftError = nftError;
  }
}

function reject(nftError: string, why: string): never {
  throw new FakeNftRejection(nftError, why);
}

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) reject(NFT_ERRORS.notFound, `there is no ${what}`);
  return value;
}

/**
 * Applies one operation to `table` (a copy the caller throws away if any operation fails),
 * refusing what the kernel refuses; returns the table, or undefined once it is deleted.
 */
export function applyFakeOperation(
  table: FakeTable | undefined,
  ref: NftTableRef,
  { verb, object }: NftOperation,
): FakeTable | undefined {
  if (object.kind === 'table') return tableOperation(table, ref, verb, object);
  const present = need(table, `table ${ref.family} ${ref.name}`);
  switch (object.kind) {
    case 'chain':
      chainOperation(present, verb, object);
      break;
    case 'set':
    case 'map':
      setOperation(present, verb, object);
      break;
    case 'element':
      elementOperation(present, verb, object);
      break;
    case 'rule':
      ruleOperation(present, verb, object);
  }
  return present;
}

function tableOperation(
  table: FakeTable | undefined,
  ref: NftTableRef,
  verb: NftVerb,
  object: NftTable,
): FakeTable | undefined {
  const what = `table ${ref.family} ${ref.name}`;
  if (verb === 'add' || verb === 'create') {
    if (table === undefined) {
      const { family, name } = ref;
      return {
        family,
        name,
        comment: object.comment,
        nextHandle: 1,
        sets: new Map(),
        chains: new Map(),
      };
    }
    if (verb === 'create') reject(NFT_ERRORS.exists, `${what} exists`);
    return table;
  }
  const present = need(table, what);
  if (verb === 'delete') return undefined;
  // `flush table` deletes every rule; sets, maps and their elements stay.
  for (const chain of present.chains.values()) chain.rules = [];
  return present;
}

function chainOperation(table: FakeTable, verb: NftVerb, object: NftChain): void {
  const existing = table.chains.get(object.name);
  const what = `chain ${object.name}`;
  if (verb === 'add' || verb === 'create') {
    if (existing === undefined) {
      const { name, base, comment } = object;
      table.chains.set(name, { name, handle: table.nextHandle++, base, comment, rules: [] });
      return;
    }
    if (verb === 'create') reject(NFT_ERRORS.exists, `${what} exists`);
    redeclareChain(table, existing, object);
    return;
  }
  const chain = need(existing, what);
  if (verb === 'flush') {
    chain.rules = [];
    return;
  }
  const user = chainUser(table, chain.name);
  if (user !== undefined) reject(NFT_ERRORS.busy, `${what} is still the target of ${user}`);
  table.chains.delete(chain.name);
}

// Adding an existing chain again may change a base chain's policy and nothing else.
function redeclareChain(table: FakeTable, chain: FakeChain, object: NftChain): void {
  const wanted = object.base;
  if (wanted === undefined) return;
  const base = chain.base;
  if (base === undefined) {
    // The kernel refuses the policy first (only base chains have one), else the name.
    const error = wanted.policy === undefined ? NFT_ERRORS.exists : NFT_ERRORS.unsupported;
    reject(error, `chain ${chain.name} is a regular chain, it cannot get a hook`);
  }
  const priority = (p: typeof base.priority) => nftPriorityValue(table.family, p);
  if (
    base.type !== wanted.type ||
    base.hook !== wanted.hook ||
    priority(base.priority) !== priority(wanted.priority)
  ) {
    reject(
      NFT_ERRORS.unsupported,
      `base chain ${chain.name} cannot change its type, hook or priority`,
    );
  }
  chain.base = { ...base, ...(wanted.policy === undefined ? {} : { policy: wanted.policy }) };
}

/** Who still jumps to `name`: a rule of another chain, or an element of a verdict map. */
function chainUser(table: FakeTable, name: string): string | undefined {
  for (const chain of table.chains.values()) {
    if (chain.name === name) continue;
    if (chain.rules.some((rule) => rule.references.chains.includes(name))) {
      return `a rule in chain ${chain.name}`;
    }
  }
  for (const set of table.sets.values()) {
    for (const element of set.elements.values()) {
      const value = element.value;
      if (value?.length === 1 && nftVerdictChain(value[0] as string) === name) {
        return `element { ${nftConcat(element.key)} } of map ${set.name}`;
      }
    }
  }
  return undefined;
}

function setUser(table: FakeTable, name: string): string | undefined {
  for (const chain of table.chains.values()) {
    if (chain.rules.some((rule) => rule.references.sets.includes(name))) {
      return `a rule in chain ${chain.name}`;
    }
  }
  return undefined;
}

const sameList = (a: readonly string[] | undefined, b: readonly string[] | undefined) =>
  (a ?? []).join(' ') === (b ?? []).join(' ');

function declaration(object: NftSet | NftMap, handle: number): FakeSet {
  return {
    kind: object.kind,
    name: object.name,
    handle,
    type: nftParts(object.type),
    value: object.kind === 'map' ? nftParts(object.value) : undefined,
    flags: [...(object.flags ?? [])].sort(),
    timeoutSeconds: object.timeoutSeconds,
    comment: object.comment,
    elements: new Map(),
  };
}

function setOperation(table: FakeTable, verb: NftVerb, object: NftSet | NftMap | NftSetRef): void {
  const existing = table.sets.get(object.name);
  const what = `${object.kind} ${object.name}`;
  if (verb === 'add' || verb === 'create') {
    if (!('type' in object)) reject(NFT_ERRORS.invalid, `${what} is declared without a type`);
    const wanted = declaration(object, table.nextHandle);
    if (existing === undefined) {
      table.sets.set(object.name, wanted);
      table.nextHandle++;
      return;
    }
    if (verb === 'create') reject(NFT_ERRORS.exists, `${what} exists`);
    // Sets and maps share names; another kind, type or flags is a different set.
    const same =
      existing.kind === wanted.kind &&
      sameList(existing.type, wanted.type) &&
      sameList(existing.value, wanted.value) &&
      sameList(existing.flags, wanted.flags);
    if (!same) reject(NFT_ERRORS.exists, `${what} exists with another kind, type or flags`);
    return;
  }
  if (verb === 'flush') {
    // nft looks a set up by kind to flush it: `flush set` of a map finds nothing.
    const set = need(existing?.kind === object.kind ? existing : undefined, what);
    set.elements.clear();
    return;
  }
  // …but deletes by name whatever the kind.
  need(existing, what);
  const user = setUser(table, object.name);
  if (user !== undefined) reject(NFT_ERRORS.busy, `${what} is still used by ${user}`);
  table.sets.delete(object.name);
}

function checkKeyPart(set: FakeSet, type: string | undefined, part: string): void {
  if (type !== 'ipv4_addr' && type !== 'ipv6_addr') return;
  const v6 = part.includes(':');
  if (v6 !== (type === 'ipv6_addr')) {
    reject(NFT_ERRORS.wrongFamily, `${part} is not an ${type} (set ${set.name})`);
  }
  const isRange = part.includes('/') || part.includes('-');
  if (isRange && !set.flags.includes('interval')) {
    reject(
      NFT_ERRORS.needsInterval,
      `${part} is a prefix or range and set ${set.name} has no interval flag`,
    );
  }
}

function checkElementValue(
  table: FakeTable,
  set: FakeSet,
  value: readonly string[] | undefined,
): void {
  if (set.kind === 'set') {
    if (value !== undefined) reject(NFT_ERRORS.setIsNotAMap, `set ${set.name} holds no values`);
    return;
  }
  if (value === undefined) reject(NFT_ERRORS.invalid, `map ${set.name} needs a value for each key`);
  const target = value.length === 1 ? nftVerdictChain(value[0] as string) : undefined;
  if (target === undefined) return;
  const chain = need(table.chains.get(target), `chain ${target}`);
  if (chain.base !== undefined)
    reject(NFT_ERRORS.unsupported, `${target} is a base chain, nothing can jump to it`);
}

function elementOperation(table: FakeTable, verb: NftVerb, object: NftElement): void {
  const set = need(table.sets.get(object.set), `set or map ${object.set}`);
  const key = nftParts(object.key);
  const keyText = nftConcat(key);
  if (verb === 'delete') {
    // The kernel finds the element by key; a map element's value is not compared.
    if (!set.elements.delete(keyText)) {
      reject(NFT_ERRORS.notFound, `${set.name} has no element { ${keyText} }`);
    }
    return;
  }
  key.forEach((part, i) => {
    checkKeyPart(set, set.type[i], part);
  });
  const value = object.value === undefined ? undefined : nftParts(object.value);
  checkElementValue(table, set, value);
  const existing = set.elements.get(keyText);
  if (existing === undefined) {
    set.elements.set(keyText, { key, value, comment: object.comment });
    return;
  }
  if (verb === 'create') reject(NFT_ERRORS.exists, `element { ${keyText} } of ${set.name} exists`);
  // `add` of an existing element succeeds only unchanged, and keeps the old comment.
  if (!sameList(existing.value, value)) {
    reject(NFT_ERRORS.exists, `element { ${keyText} } of ${set.name} exists with another value`);
  }
}

function ruleOperation(table: FakeTable, verb: NftVerb, object: NftRule | NftRuleHandle): void {
  const chain = need(table.chains.get(object.chain), `chain ${object.chain}`);
  if ('handle' in object) {
    const index = chain.rules.findIndex((rule) => rule.handle === object.handle);
    if (index < 0)
      reject(NFT_ERRORS.notFound, `chain ${chain.name} has no rule with handle ${object.handle}`);
    chain.rules.splice(index, 1);
    return;
  }
  const references = ruleReferences(object.rule);
  for (const name of references.sets) need(table.sets.get(name), `set or map ${name}`);
  for (const name of references.maps) {
    if (table.sets.get(name)?.kind !== 'map')
      reject(NFT_ERRORS.notAMap, `${name} is a set, not a map`);
  }
  for (const name of references.chains) {
    const target = need(table.chains.get(name), `chain ${name}`);
    if (target.base !== undefined)
      reject(NFT_ERRORS.unsupported, `${name} is a base chain, nothing can jump to it`);
  }
  const rule = {
    handle: table.nextHandle++,
    text: object.rule,
    comment: object.comment,
    references,
  };
  if (verb === 'insert') chain.rules.unshift(rule);
  else chain.rules.push(rule);
}

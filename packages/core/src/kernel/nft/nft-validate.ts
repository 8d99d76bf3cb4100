import { NftInputError } from './nft-input-error.ts';
import { NFT_COMMENT_MAX_BYTES, nftNameProblem } from './nft-names.ts';
import type {
  NftBaseChain,
  NftElement,
  NftMap,
  NftOperation,
  NftRule,
  NftRuleHandle,
  NftSet,
  NftSetRef,
  NftTableRef,
  NftVerb,
} from './nft-objects.ts';
import { nftParts, nftVerdictChain } from './nft-objects.ts';
import { nftObjectLabel } from './nft-render.ts';

/** Which verbs nft has for each kind of object (`flush element` or `insert chain` do not exist). */
const VERBS: Readonly<Record<NftOperation['object']['kind'], readonly NftVerb[]>> = {
  table: ['add', 'create', 'flush', 'delete'],
  chain: ['add', 'create', 'flush', 'delete'],
  set: ['add', 'create', 'flush', 'delete'],
  map: ['add', 'create', 'flush', 'delete'],
  element: ['add', 'create', 'delete'],
  rule: ['add', 'insert', 'delete'],
};

// One line of nft input must stay one command: no newline, no `;` (which separates commands
// on a line), no `#` (which comments out the rest of the line).
const COMMAND_BREAKERS = /[\n\r;#]/;

// A key or value part is one nft token: no blanks, braces, commas or quotes that would end
// the element early; a quoted string (an interface name) is one token too.
const TOKEN = /^(?:[^\s{}",;#]+|"[^"\n\r]*")$/;
const VERDICT = /^(?:accept|drop|continue|return)$/;

/** What is wrong with a piece of input, or undefined; the caller names the object. */
type Problem = string | undefined;

/**
 * Throws NftInputError unless nft can read `operation` as one command, naming the object.
 * The checks return a problem rather than throw, so a valid operation (the common case, up to
 * tens of thousands of elements a transaction) never builds its label.
 */
export function validateNftOperation(table: NftTableRef, operation: NftOperation): void {
  const problem = operationProblem(operation);
  if (problem !== undefined) {
    throw new NftInputError(nftObjectLabel(table, operation.object), problem);
  }
}

function operationProblem({ verb, object }: NftOperation): Problem {
  if (!VERBS[object.kind].includes(verb)) return `nft has no "${verb} ${object.kind}"`;
  switch (object.kind) {
    case 'table':
      return commentProblem(object.comment);
    case 'chain':
      return (
        nftNameProblem(object.name) ??
        baseChainProblem(object.base) ??
        commentProblem(object.comment)
      );
    case 'set':
    case 'map':
      return (
        nftNameProblem(object.name) ??
        (verb === 'add' || verb === 'create' ? declarationProblem(object) : undefined)
      );
    case 'element':
      return elementProblem(object, verb);
    case 'rule':
      return (
        nftNameProblem(object.chain) ??
        ('handle' in object ? ruleHandleProblem(object, verb) : ruleProblem(object, verb))
      );
  }
}

/** Why nft cannot hold `comment`, or undefined. */
function commentProblem(comment: string | undefined): Problem {
  if (comment === undefined) return undefined;
  if (/["\\\p{Cc}]/u.test(comment)) {
    return `comment ${JSON.stringify(comment)} holds a quote, backslash or control character, which nft cannot read`;
  }
  const bytes = Buffer.byteLength(comment);
  if (bytes > NFT_COMMENT_MAX_BYTES) {
    return `comment is ${bytes} bytes, nft takes at most ${NFT_COMMENT_MAX_BYTES}`;
  }
  return undefined;
}

function baseChainProblem(base: NftBaseChain | undefined): Problem {
  if (base === undefined || typeof base.priority !== 'number') return undefined;
  return Number.isInteger(base.priority)
    ? undefined
    : `priority ${base.priority} is not an integer`;
}

function secondsProblem(what: string, seconds: number | undefined): Problem {
  if (seconds === undefined || (Number.isInteger(seconds) && seconds > 0)) return undefined;
  return `${what} ${seconds} is not a whole number of seconds above 0`;
}

function declarationProblem(set: NftSet | NftMap | NftSetRef): Problem {
  if (!('type' in set)) return `declaring a ${set.kind} needs its type`;
  if (nftParts(set.type).length === 0) return 'the key type is empty';
  if (set.kind === 'map' && nftParts(set.value).length === 0) return 'the value type is empty';
  return secondsProblem('timeout', set.timeoutSeconds) ?? commentProblem(set.comment);
}

function partsProblem(what: string, parts: readonly string[]): Problem {
  if (parts.length === 0) return `the ${what} is empty`;
  const bad = parts.find((part) => !TOKEN.test(part));
  return bad === undefined ? undefined : `${what} part ${JSON.stringify(bad)} is not one nft value`;
}

// A map value is a verdict (`goto svc-x`, `drop`) or data parts like a key.
function valueProblem(value: string | readonly string[]): Problem {
  const parts = nftParts(value);
  const only = parts.length === 1 ? (parts[0] as string) : undefined;
  if (only !== undefined && VERDICT.test(only)) return undefined;
  const target = only === undefined ? undefined : nftVerdictChain(only);
  if (target !== undefined) return nftNameProblem(target);
  return partsProblem('value', parts);
}

function elementProblem(element: NftElement, verb: NftVerb): Problem {
  const problem = nftNameProblem(element.set) ?? partsProblem('key', nftParts(element.key));
  if (problem !== undefined || verb === 'delete') return problem;
  return (
    (element.value === undefined ? undefined : valueProblem(element.value)) ??
    secondsProblem('timeout', element.timeoutSeconds) ??
    commentProblem(element.comment)
  );
}

function ruleProblem(rule: NftRule, verb: NftVerb): Problem {
  if (verb === 'delete') return 'a rule is deleted by its handle';
  if (rule.rule.trim() === '') return 'the rule is empty';
  if (COMMAND_BREAKERS.test(rule.rule)) {
    return `rule ${JSON.stringify(rule.rule)} holds a newline, ';' or '#', which would end the nft command`;
  }
  return commentProblem(rule.comment);
}

function ruleHandleProblem(rule: NftRuleHandle, verb: NftVerb): Problem {
  if (verb !== 'delete') return `"${verb} rule" needs the rule, not a handle`;
  if (Number.isInteger(rule.handle) && rule.handle > 0) return undefined;
  return `handle ${rule.handle} is not a positive integer`;
}

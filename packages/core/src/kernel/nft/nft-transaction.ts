import { checkNftName } from './nft-names.ts';
import type {
  NftChain,
  NftChainRef,
  NftElement,
  NftMap,
  NftObject,
  NftOperation,
  NftRule,
  NftRuleHandle,
  NftSet,
  NftSetRef,
  NftTable,
  NftTableRef,
  NftVerb,
} from './nft-objects.ts';
import { renderNftOperation } from './nft-render.ts';
import { validateNftOperation } from './nft-validate.ts';

/**
 * One `nft -f` transaction on one table, built operation by operation. Each operation is
 * checked when it is added (NftInputError names the object) and becomes one line of input, in
 * the order added; the kernel applies all of them or none.
 */
export interface NftTransaction {
  readonly table: NftTableRef;
  /** The operations so far: a partial sync asserts how few it needed (kube-proxy's NumOperations). */
  readonly size: number;
  readonly operations: readonly NftOperation[];
  /** Creates what is missing, leaves what exists (an element with another value is an error). */
  add(object: NftObject): NftTransaction;
  /** Like add, but what exists is an error. */
  create(object: NftTable | NftChain | NftSet | NftMap | NftElement): NftTransaction;
  /** Puts a rule first in its chain. */
  insert(rule: NftRule): NftTransaction;
  /** Empties a table (of rules), a chain (of rules), a set or map (of elements). */
  flush(object: NftTable | NftChainRef | NftSetRef): NftTransaction;
  /** Deletes an object that must exist. */
  delete(object: NftTable | NftChainRef | NftSetRef | NftElement | NftRuleHandle): NftTransaction;
  /**
   * Deletes an object whether or not it exists: `add` then `delete`, since nft before 1.0.7
   * (Debian 12's 1.0.6) has no `destroy`. Two operations; a set or map needs its declaration.
   */
  destroy(object: NftTable | NftChainRef | NftSet | NftMap): NftTransaction;
  /** The `nft -f` input: one line per operation, each ending in a newline. */
  text(): string;
}

/** A transaction on `table` (its name is checked here). */
export function createNftTransaction(table: NftTableRef): NftTransaction {
  checkNftName(`table ${table.family} ${table.name}`, table.name);
  const operations: NftOperation[] = [];

  function push(verb: NftVerb, object: NftOperation['object']): NftTransaction {
    const operation: NftOperation = { verb, object };
    validateNftOperation(table, operation);
    operations.push(operation);
    return transaction;
  }

  const transaction: NftTransaction = {
    table,
    get size() {
      return operations.length;
    },
    operations,
    add: (object) => push('add', object),
    create: (object) => push('create', object),
    insert: (rule) => push('insert', rule),
    flush: (object) => push('flush', object),
    delete: (object) => push('delete', object),
    destroy(object) {
      push('add', declarationToDestroy(object));
      return push('delete', referenceTo(object));
    },
    text() {
      // One array joined once: linear in the size, whatever the number of elements.
      const lines = operations.map((operation) => renderNftOperation(table, operation));
      lines.push('');
      return lines.join('\n');
    },
  };
  return transaction;
}

// What destroy adds before deleting: a bare table or chain (re-declaring a base chain's hook
// is not needed to make it exist, and a different one would fail), a set or map as declared
// (nft needs the type, and the same one as the existing set).
function declarationToDestroy(object: NftTable | NftChainRef | NftSet | NftMap): NftObject {
  if (object.kind === 'table') return { kind: 'table' };
  if (object.kind === 'chain') return { kind: 'chain', name: object.name };
  return object;
}

function referenceTo(object: NftTable | NftChainRef | NftSet | NftMap): NftOperation['object'] {
  if (object.kind === 'table') return { kind: 'table' };
  if (object.kind === 'chain') return { kind: 'chain', name: object.name };
  return { kind: object.kind, name: object.name };
}

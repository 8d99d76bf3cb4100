import type { KernelCommand } from '../kernel/kernel-command.ts';
import { KernelCommandError } from '../kernel/kernel-command-error.ts';
import type { NftApplier } from '../kernel/nft/nft-apply.ts';
import type { NftFamily } from '../kernel/nft/nft-objects.ts';
import { renderNftOperation } from '../kernel/nft/nft-render.ts';
import type { NftTableState } from '../kernel/nft/nft-state.ts';
import type { NftTransaction } from '../kernel/nft/nft-transaction.ts';
import { dumpFakeTables, fakeTableState } from './fake-nft-dump.ts';
import type { FakeTable } from './fake-nft-model.ts';
import { copyTable } from './fake-nft-model.ts';
import { applyFakeOperation, FakeNftRejection } from './fake-nft-operations.ts';

/**
 * nftables in memory, for unit tests of code that applies transactions (knftables' fake, made
 * strict). A transaction applies whole or not at all, and the fake refuses what the kernel
 * refuses, with the KernelCommandError (and `reason`) the real applier throws:
 * - anything in a missing table, a rule in a missing chain, an element of a missing set;
 * - a rule that jumps or goes to a missing chain or a base chain, or looks up a missing
 *   `@set`, or a set as a map (`vmap @set`);
 * - deleting a missing object, a chain still jumped to (by a rule or a verdict map element),
 *   a set or map still used by a rule;
 * - `create` of what exists, `add` of a set with another type or flags, of an element with
 *   another value; a prefix in a set without `flags interval`, an address of the wrong family.
 * The kernel agreement test (core/test/kernel/nft-fake-agreement.kernel.test.ts) holds it to
 * the real nft on each of these.
 */
export interface FakeNft extends NftApplier {
  apply(transaction: NftTransaction): Promise<void>;
  /** apply, synchronously. */
  applyNow(transaction: NftTransaction): void;
  /** Every transaction given to apply, applied or refused, in order. */
  readonly transactions: readonly NftTransaction[];
  /** The last transaction applied: a partial sync checks its `size`. */
  readonly lastApplied: NftTransaction | undefined;
  tables(): NftTableState[];
  table(family: NftFamily, name: string): NftTableState | undefined;
  /** The ruleset as nft lists it, normalized (see dumpFakeTables). */
  dump(): string;
}

export interface FakeNftOptions {
  /** The namespace errors name, as the real applier's do. */
  netns?: string;
}

const keyOf = (family: string, name: string) => `${family} ${name}`;

function refusal(
  transaction: NftTransaction,
  index: number,
  rejection: FakeNftRejection,
  netns: string | undefined,
): KernelCommandError {
  const line = index + 1;
  const text = renderNftOperation(transaction.table, transaction.operations[index]!);
  const command: KernelCommand = { tool: 'nft', args: ['-f', '-'], netns };
  // stderr as nft writes it, so nftErrorLine and the reason read it as they read nft's.
  const stderr = `/dev/stdin:${line}:1-1: Error: ${rejection.nftError}\n${text}\n^\n`;
  return new KernelCommandError(command, {
    stderr,
    exitCode: 1,
    detail: `${rejection.nftError} (input line ${line}): ${text} (fake nft: ${rejection.message})`,
  });
}

export function createFakeNft(options: FakeNftOptions = {}): FakeNft {
  const tables = new Map<string, FakeTable>();
  const transactions: NftTransaction[] = [];
  let lastApplied: NftTransaction | undefined;

  function applyNow(transaction: NftTransaction): void {
    transactions.push(transaction);
    const { family, name } = transaction.table;
    const key = keyOf(family, name);
    const original = tables.get(key);
    // All or nothing: operations change a copy, which replaces the table only at the end.
    let table = original === undefined ? undefined : copyTable(original);
    transaction.operations.forEach((operation, index) => {
      try {
        table = applyFakeOperation(table, transaction.table, operation);
      } catch (error) {
        if (error instanceof FakeNftRejection)
          throw refusal(transaction, index, error, options.netns);
        throw error;
      }
    });
    if (table === undefined) tables.delete(key);
    else tables.set(key, table);
    lastApplied = transaction;
  }

  return {
    apply: async (transaction) => applyNow(transaction),
    applyNow,
    transactions,
    get lastApplied() {
      return lastApplied;
    },
    tables: () => [...tables.values()].map(fakeTableState),
    table(family, name) {
      const table = tables.get(keyOf(family, name));
      return table === undefined ? undefined : fakeTableState(table);
    },
    dump: () => dumpFakeTables(tables.values()),
  };
}

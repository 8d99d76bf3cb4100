import {
  applyNftTransaction,
  type Cidr,
  type CommandRunner,
  createNftTransaction,
  isKernelCommandError,
  type NftJsonEntry,
  nftJson,
} from '@loom-net/core';
import { masqueradeTransaction } from './masquerade-ruleset.ts';

export type MasqueradeOutcome = 'applied' | 'unchanged' | 'removed' | 'absent';

export interface MasqueradeTableOptions {
  readonly runner: CommandRunner;
  readonly netns?: string;
  readonly table: string;
}

/**
 * Keeps the masquerade table as rendered. It re-applies only when the wanted ruleset changed
 * or the kernel's table no longer matches what was applied (deleted or edited by hand), which
 * it learns by listing the table, so a resync costs one `nft -j list` and no transaction.
 */
export function createMasqueradeTable(options: MasqueradeTableOptions) {
  const { runner, netns, table } = options;
  let applied: { ruleset: string; listing: string } | undefined;

  async function listing(): Promise<string | undefined> {
    try {
      return canonical(
        await nftJson<NftJsonEntry[]>(runner, ['list', 'table', 'inet', table], netns),
      );
    } catch (error) {
      if (isKernelCommandError(error, 'not-found')) return undefined;
      throw error;
    }
  }

  return {
    async ensure(clusterCidrs: readonly Cidr[]): Promise<MasqueradeOutcome> {
      const tx = masqueradeTransaction(table, clusterCidrs);
      const ruleset = tx.text();
      const current = await listing();
      if (applied?.ruleset === ruleset && current === applied.listing) return 'unchanged';
      await applyNftTransaction(runner, tx, netns);
      applied = { ruleset, listing: (await listing()) ?? '' };
      return 'applied';
    },
    async remove(): Promise<MasqueradeOutcome> {
      applied = undefined;
      if ((await listing()) === undefined) return 'absent';
      const tx = createNftTransaction({ family: 'inet', name: table }).delete({ kind: 'table' });
      await applyNftTransaction(runner, tx, netns);
      return 'removed';
    },
  };
}

// Handles and packet counters change without the ruleset changing.
function canonical(entries: readonly NftJsonEntry[]): string {
  return JSON.stringify(entries, (key, value: unknown) => {
    if (key === 'handle') return undefined;
    if (key === 'counter' && value && typeof value === 'object') return {};
    return value;
  });
}

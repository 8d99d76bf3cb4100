import type { CommandRunner, KernelCommand } from '../kernel-command.ts';
import {
  isKernelCommandError,
  KernelCommandError,
  summarizeStderr,
} from '../kernel-command-error.ts';
import { nftApply } from '../nft.ts';
import type { NftTransaction } from './nft-transaction.ts';

/** Where transactions go: the kernel (createNftApplier) or, in tests, the fake (createFakeNft). */
export interface NftApplier {
  /** Applies the whole transaction or, on a KernelCommandError, none of it. */
  apply(transaction: NftTransaction): Promise<void>;
}

// nft locates an error in its input: `/dev/stdin:2:24-30: Error: …` (`-:2:…` for some versions).
const INPUT_LOCATION = /^(?:\/dev\/stdin|-):(\d+):/m;

/** The 1-based line of `nft -f` input an nft error points at, when it points at one. */
export function nftErrorLine(error: unknown): number | undefined {
  if (!isKernelCommandError(error)) return undefined;
  const match = INPUT_LOCATION.exec(error.stderr);
  return match ? Number(match[1]) : undefined;
}

const MAX_QUOTED_LINE = 300;

/**
 * The error with the operation it points at: nft says `No such file or directory (input line
 * 2)`, this adds `: add rule inet loom t jump svc-x`, so the message names the object.
 */
function withFailingOperation(error: unknown, command: KernelCommand, text: string): unknown {
  const line = nftErrorLine(error);
  if (line === undefined || !isKernelCommandError(error)) return error;
  const operation = text.split('\n', line)[line - 1];
  if (operation === undefined) return error;
  const quoted =
    operation.length > MAX_QUOTED_LINE ? `${operation.slice(0, MAX_QUOTED_LINE)}…` : operation;
  const summary = summarizeStderr(error.stderr);
  return new KernelCommandError(command, {
    stderr: error.stderr,
    exitCode: error.exitCode,
    reason: error.reason,
    detail: `${summary}: ${quoted}`,
    cause: error,
  });
}

/**
 * Applies `transaction` as one `nft -f -` call in `netns` (a name or a namespace path), so the
 * kernel commits all of it or nothing. An empty transaction spawns nothing.
 */
export async function applyNftTransaction(
  runner: CommandRunner,
  transaction: NftTransaction,
  netns?: string,
): Promise<void> {
  if (transaction.size === 0) return;
  const text = transaction.text();
  try {
    await nftApply(runner, text, netns);
  } catch (error) {
    const command: KernelCommand = { tool: 'nft', args: ['-f', '-'], netns, stdin: text };
    throw withFailingOperation(error, command, text);
  }
}

/** An applier for the kernel: every transaction is one `nft -f -` run by `runner` in `netns`. */
export function createNftApplier(runner: CommandRunner, netns?: string): NftApplier {
  return { apply: (transaction) => applyNftTransaction(runner, transaction, netns) };
}

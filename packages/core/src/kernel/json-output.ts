import type { KernelCommand } from './kernel-command.ts';
import { KernelCommandError } from './kernel-command-error.ts';

/** A command that succeeded but printed what Loom cannot read: reason `invalid`. */
export function invalidOutputError(
  command: KernelCommand,
  detail: string,
  cause?: unknown,
): KernelCommandError {
  return new KernelCommandError(command, {
    stderr: '',
    exitCode: 0,
    detail,
    reason: 'invalid',
    ...(cause === undefined ? {} : { cause }),
  });
}

function parse(command: KernelCommand, stdout: string): unknown {
  try {
    return JSON.parse(stdout);
  } catch (cause) {
    throw invalidOutputError(
      command,
      `cannot parse its JSON output: ${(cause as Error).message}`,
      cause,
    );
  }
}

/** `ip -json` prints nothing at all for some empty listings; that is an empty list. */
export function parseIpJson(command: KernelCommand, stdout: string): unknown {
  if (stdout.trim() === '') return [];
  return parse(command, stdout);
}

/** One entry of `nft -j` output's `nftables` array: `{ table: … }`, `{ chain: … }`, `{ rule: … }`. */
export type NftJsonEntry = Record<string, unknown>;

/** `nft -j` wraps everything in `{"nftables":[{"metainfo":…}, …]}`; this returns the entries. */
export function parseNftJson(command: KernelCommand, stdout: string): NftJsonEntry[] {
  if (stdout.trim() === '') return [];
  const document = parse(command, stdout) as { nftables?: unknown };
  if (!Array.isArray(document?.nftables)) {
    throw invalidOutputError(command, 'its JSON output has no "nftables" array');
  }
  return (document.nftables as NftJsonEntry[]).filter((entry) => !('metainfo' in entry));
}

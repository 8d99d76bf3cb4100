import type { KernelCommand } from './kernel-command.ts';
import { KernelCommandError } from './kernel-command-error.ts';

function parse(command: KernelCommand, stdout: string): unknown {
  try {
    return JSON.parse(stdout);
  } catch (cause) {
    const detail = `cannot parse its JSON output: ${(cause as Error).message}`;
    throw new KernelCommandError(command, {
      stderr: '',
      exitCode: 0,
      detail,
      reason: 'invalid',
      cause,
    });
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
    const detail = 'its JSON output has no "nftables" array';
    throw new KernelCommandError(command, { stderr: '', exitCode: 0, detail, reason: 'invalid' });
  }
  return (document.nftables as NftJsonEntry[]).filter((entry) => !('metainfo' in entry));
}

import { type CommandRunner, isKernelCommandError, nftApply, nftJson } from '@loom-net/core/kernel';
import type { CniAttachment, InterfaceAddress } from '@loom-net/ipam';
import {
  attachmentComment,
  MASQ_TABLE,
  type MasqElement,
  masqAddScript,
  masqDeleteScript,
  masqElements,
} from './masquerade-rules.ts';

/** Adds the pod's addresses to its network's masquerade sets (one nft transaction). */
export async function addMasquerade(
  runner: CommandRunner,
  network: string,
  attachment: CniAttachment,
  addresses: readonly InterfaceAddress[],
): Promise<void> {
  await nftApply(runner, masqAddScript(network, attachment, addresses));
}

/** The network's pod elements; none when the table was never created. */
export async function listMasquerade(
  runner: CommandRunner,
  network: string,
): Promise<MasqElement[]> {
  try {
    return masqElements(
      await nftJson<unknown[]>(runner, ['list', 'table', 'inet', MASQ_TABLE]),
      network,
    );
  } catch (error) {
    if (isKernelCommandError(error, 'not-found')) return [];
    throw error;
  }
}

/** Deletes the network's pod elements that `stale` picks; returns them. */
export async function removeMasquerade(
  runner: CommandRunner,
  network: string,
  stale: (element: MasqElement) => boolean,
): Promise<MasqElement[]> {
  const doomed = (await listMasquerade(runner, network)).filter(stale);
  if (doomed.length > 0) await nftApply(runner, masqDeleteScript(doomed));
  return doomed;
}

/** Deletes one attachment's elements (DEL, and ADD's rollback). */
export function removeAttachmentMasquerade(
  runner: CommandRunner,
  network: string,
  attachment: CniAttachment,
): Promise<MasqElement[]> {
  const comment = attachmentComment(attachment);
  return removeMasquerade(runner, network, (element) => element.comment === comment);
}

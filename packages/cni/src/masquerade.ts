import type { CniAttachment, InterfaceAddress } from '@loom-net/cni-spec';
import {
  applyNftTransaction,
  type CommandRunner,
  isKernelCommandError,
  type NftJsonEntry,
  nftJson,
} from '@loom-net/core/kernel';
import {
  attachmentComment,
  MASQ_TABLE,
  type MasqElement,
  masqAddTransaction,
  masqDeleteTransaction,
  masqElements,
} from './masquerade-rules.ts';

/** Adds the pod's addresses to its network's masquerade sets (one nft transaction). */
export async function addMasquerade(
  runner: CommandRunner,
  network: string,
  attachment: CniAttachment,
  addresses: readonly InterfaceAddress[],
): Promise<void> {
  await applyNftTransaction(runner, masqAddTransaction(network, attachment, addresses));
}

/** The network's pod elements; none when the table was never created. */
export async function listMasquerade(
  runner: CommandRunner,
  network: string,
): Promise<MasqElement[]> {
  try {
    return masqElements(
      await nftJson<NftJsonEntry[]>(runner, ['list', 'table', 'inet', MASQ_TABLE]),
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
  await applyNftTransaction(runner, masqDeleteTransaction(doomed));
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

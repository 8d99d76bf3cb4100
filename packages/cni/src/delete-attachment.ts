import { attachmentOf, type CniRequest } from '@loom-net/cni-spec/skel';
import type { CommandRunner } from '@loom-net/core/kernel';
import { parseBridgeConfig } from './bridge-config.ts';
import { ipamDelegate } from './ipam-delegate.ts';
import { kernelFailure, removeLink } from './kernel-links.ts';
import { hostVethName } from './link-plan.ts';
import { removeAttachmentMasquerade } from './masquerade.ts';

/**
 * DEL (SPEC.md section 2): best effort and idempotent. The veth pair is deleted from its host
 * end, whose name derives from the attachment: that removes the pod end too, needs no entry
 * into the pod's namespace (which may be gone), and never touches a CNI_IFNAME that another
 * plugin created (after an ADD that failed because it existed).
 */
export async function deleteAttachment(request: CniRequest, kernel: CommandRunner): Promise<void> {
  const config = parseBridgeConfig(request);
  const attachment = attachmentOf(request.env);
  // Started first: a delegated IPAM plugin is a process of its own, which releases while the
  // kernel takes its tens of milliseconds to tear the veth down.
  const release =
    config.ipamType === undefined
      ? Promise.resolve()
      : ipamDelegate(request, config.ipamType).del();
  const unlink = removeLink(kernel, hostVethName(config.network, attachment));
  const [unlinked, released] = await Promise.allSettled([unlink, release]);
  if (unlinked.status === 'rejected') throw unlinked.reason;
  if (released.status === 'rejected') throw released.reason;
  if (config.ipMasq) {
    await removeAttachmentMasquerade(kernel, config.network, attachment).catch((error) => {
      throw kernelFailure(
        `cannot remove masquerading of ${attachment.containerId}/${attachment.ifname}`,
        error,
      );
    });
  }
}

import type { CniAttachment } from './cni-env.ts';
import { CNI_ERROR, CniError } from './cni-error.ts';
import { describe } from './cni-result.ts';

/**
 * GC's list of attachments still in use. libcni also sends it as `cni.dev/attachments`
 * (a workaround for a typo in the spec, containernetworking/cni#1101); either is accepted.
 */
export function parseValidAttachments(config: Record<string, unknown>): CniAttachment[] {
  const value = config['cni.dev/valid-attachments'] ?? config['cni.dev/attachments'];
  if (!Array.isArray(value)) {
    throw new CniError(
      CNI_ERROR.invalidConfig,
      `GC needs cni.dev/valid-attachments (a list), got ${describe(value)}`,
    );
  }
  return value.map((item, i) => {
    const o = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
    if (typeof o.containerID !== 'string' || typeof o.ifname !== 'string') {
      throw new CniError(
        CNI_ERROR.invalidConfig,
        `cni.dev/valid-attachments[${i}] must be {"containerID": string, "ifname": string}, got ${JSON.stringify(item)}`,
      );
    }
    return { containerId: o.containerID, ifname: o.ifname };
  });
}

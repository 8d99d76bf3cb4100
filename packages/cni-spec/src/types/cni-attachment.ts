import { CNI_ERROR, CniError } from './cni-error.ts';
import { describeValue } from './json-fields.ts';

/** An attachment is identified by (containerId, ifname) within a network (SPEC.md section 3). */
export interface CniAttachment {
  containerId: string;
  ifname: string;
}

/** The keys GC's list travels under: the spec's, and libcni's copy under the name a typo in the
 * spec gave it (containernetworking/cni#1101). */
export const VALID_ATTACHMENTS_KEY = 'cni.dev/valid-attachments';
export const ATTACHMENTS_KEY = 'cni.dev/attachments';

/** An attachment as GC's list spells it: `{"containerID": …, "ifname": …}`. */
export function attachmentJson(attachment: CniAttachment): { containerID: string; ifname: string } {
  return { containerID: attachment.containerId, ifname: attachment.ifname };
}

/** GC's list of attachments still in use, from either key. */
export function parseValidAttachments(config: Record<string, unknown>): CniAttachment[] {
  const value = config[VALID_ATTACHMENTS_KEY] ?? config[ATTACHMENTS_KEY];
  if (!Array.isArray(value)) {
    throw new CniError(
      CNI_ERROR.invalidConfig,
      `GC needs ${VALID_ATTACHMENTS_KEY} (a list), got ${describeValue(value)}`,
    );
  }
  return value.map((item, i) => {
    const o = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
    if (typeof o.containerID !== 'string' || typeof o.ifname !== 'string') {
      throw new CniError(
        CNI_ERROR.invalidConfig,
        `${VALID_ATTACHMENTS_KEY}[${i}] must be {"containerID": string, "ifname": string}, got ${JSON.stringify(item)}`,
      );
    }
    return { containerId: o.containerID, ifname: o.ifname };
  });
}

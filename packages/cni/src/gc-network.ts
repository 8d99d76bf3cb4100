import { CNI_ERROR, CniError, isCniError, parseValidAttachments } from '@loom-net/cni-spec';
import type { CniRequest } from '@loom-net/cni-spec/skel';
import type { CommandRunner } from '@loom-net/core/kernel';
import { parseBridgeConfig } from './bridge-config.ts';
import { ipamDelegate } from './ipam-delegate.ts';
import { kernelFailure } from './kernel-links.ts';
import { removeMasquerade } from './masquerade.ts';
import { attachmentComment } from './masquerade-rules.ts';

/**
 * GC (SPEC.md section 2): forwarded to IPAM, then every masquerade element of an attachment
 * not in `cni.dev/valid-attachments` is removed. Each part runs even if another failed; the
 * failures are reported together. The veths of gone pods went with their namespaces.
 */
export async function collectGarbage(request: CniRequest, kernel: CommandRunner): Promise<void> {
  const config = parseBridgeConfig(request);
  const valid = parseValidAttachments(request.config);
  const failures: CniError[] = [];
  if (config.ipamType !== undefined) {
    await ipamDelegate(request, config.ipamType)
      .gc()
      .catch((error) => failures.push(asCniError(error)));
  }
  if (config.ipMasq) {
    const keep = new Set(valid.map(attachmentComment));
    await removeMasquerade(
      kernel,
      config.network,
      (element) => !keep.has(element.comment ?? ''),
    ).catch((error) =>
      failures.push(kernelFailure('cannot remove stale masquerade elements', error)),
    );
  }
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1) {
    throw new CniError(
      failures[0]!.code,
      `GC of network ${config.network} failed: ${failures.map((f) => f.message).join('; ')}`,
    );
  }
}

/** STATUS: ready when the IPAM plugin can serve ADD (a plugin without IPAM always is). */
export async function reportStatus(request: CniRequest): Promise<void> {
  const config = parseBridgeConfig(request);
  if (config.ipamType !== undefined) await ipamDelegate(request, config.ipamType).status();
}

function asCniError(error: unknown): CniError {
  return isCniError(error)
    ? error
    : new CniError(CNI_ERROR.internal, (error as Error)?.message ?? String(error), {
        cause: error,
      });
}

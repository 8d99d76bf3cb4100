import type { CniPluginHandlers } from '@loom-net/cni-spec/skel';
import { type CommandRunner, createCommandRunner } from '@loom-net/core/kernel';
import { addAttachment } from './add-attachment.ts';
import { checkAttachment } from './check-attachment.ts';
import { deleteAttachment } from './delete-attachment.ts';
import { collectGarbage, reportStatus } from './gc-network.ts';

/**
 * loom-cni's verbs; kernel commands go through core's runner. A plugin call runs a few short
 * commands one after another, so they run blocking: no child-process streams, no
 * `node:child_process` loaded at all (core's spawn-sync.ts says why that matters).
 */
export function bridgePluginHandlers(
  kernel: CommandRunner = createCommandRunner({ timeoutMs: 30_000, blocking: true }),
): CniPluginHandlers {
  return {
    add: (request) => addAttachment(request, kernel),
    del: (request) => deleteAttachment(request, kernel),
    check: (request) => checkAttachment(request, kernel),
    gc: (request) => collectGarbage(request, kernel),
    status: (request) => reportStatus(request),
  };
}

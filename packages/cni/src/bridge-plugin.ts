import { type CommandRunner, createCommandRunner } from '@loom-net/core/kernel';
import type { CniPluginHandlers } from '@loom-net/ipam';
import { addAttachment } from './add-attachment.ts';
import { checkAttachment } from './check-attachment.ts';
import { deleteAttachment } from './delete-attachment.ts';
import { collectGarbage, reportStatus } from './gc-network.ts';

/**
 * loom-cni's verbs; kernel commands go through core's runner. ADD's commands follow one
 * another (host, then pod) and take a few milliseconds each, so it runs them blocking, which
 * costs less per command than streaming them (`addKernel`). The other verbs stream: DEL's veth
 * deletion takes the kernel tens of milliseconds, during which the IPAM release runs.
 */
export function bridgePluginHandlers(
  kernel: CommandRunner = createCommandRunner({ timeoutMs: 30_000 }),
  addKernel: CommandRunner = createCommandRunner({ timeoutMs: 30_000, blocking: true }),
): CniPluginHandlers {
  return {
    add: (request) => addAttachment(request, addKernel),
    del: (request) => deleteAttachment(request, kernel),
    check: (request) => checkAttachment(request, kernel),
    gc: (request) => collectGarbage(request, kernel),
    status: (request) => reportStatus(request),
  };
}

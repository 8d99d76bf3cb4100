import { deleteNetns, netnsExists } from '@loom-net/core';
import { removeContainerLocked, stopRunningContainer } from '../container/container-stop.ts';
import { CriError, describeError } from '../cri/cri-error.ts';
import type { RuntimeContext } from '../runtime-context.ts';
import { containerLock, sandboxLock } from '../runtime-context.ts';
import { lookupId } from '../store/id-lookup.ts';
import type { SandboxRecord } from '../store/records.ts';
import { teardownPodNetwork } from './pod-network.ts';

function containersOf(ctx: RuntimeContext, sandbox: SandboxRecord) {
  return [...ctx.containers.values()].filter((c) => c.sandboxId === sandbox.id);
}

/**
 * containerd's stopPodSandbox: kill every container, CNI DEL (with the cached results), then
 * delete the netns. Rerunning it is safe: a failed DEL leaves `networkAttached` set and is
 * retried by the next call, and DEL still runs once the netns is gone (CNI_NETNS="").
 */
export async function stopSandboxLocked(
  ctx: RuntimeContext,
  sandbox: SandboxRecord,
): Promise<void> {
  for (const container of containersOf(ctx, sandbox)) {
    await ctx.locks.run(containerLock(container.id), () => stopRunningContainer(ctx, container, 0));
  }
  if (sandbox.networkAttached) {
    try {
      await teardownPodNetwork(ctx, sandbox);
    } catch (error) {
      throw new CriError(
        'INTERNAL',
        `failed to destroy network for sandbox ${sandbox.id}: ${describeError(error)}`,
        {
          cause: error,
        },
      );
    }
    sandbox.networkAttached = false;
    ctx.store.saveSandbox(sandbox);
  }
  if (sandbox.netns !== null && netnsExists(sandbox.netns))
    await deleteNetns(ctx.runner, sandbox.netns);
  if (sandbox.state !== 'notready') {
    sandbox.state = 'notready';
    ctx.store.saveSandbox(sandbox);
    ctx.logger.info({ sandbox: sandbox.id }, 'sandbox stopped');
  }
}

/** StopPodSandbox: idempotent; an unknown id is fine. */
export async function stopPodSandbox(ctx: RuntimeContext, id: string): Promise<void> {
  const sandbox = lookupId(ctx.sandboxes, id, 'sandbox');
  if (sandbox === undefined) return;
  await ctx.locks.run(sandboxLock(sandbox.id), () => stopSandboxLocked(ctx, sandbox));
}

/** RemovePodSandbox: stops it if needed, removes its containers, then forgets it. */
export async function removePodSandbox(ctx: RuntimeContext, id: string): Promise<void> {
  const sandbox = lookupId(ctx.sandboxes, id, 'sandbox');
  if (sandbox === undefined) return;
  await ctx.locks.run(sandboxLock(sandbox.id), async () => {
    if (!ctx.sandboxes.has(sandbox.id)) return;
    await stopSandboxLocked(ctx, sandbox);
    for (const container of containersOf(ctx, sandbox)) {
      await ctx.locks.run(containerLock(container.id), () => removeContainerLocked(ctx, container));
    }
    ctx.sandboxes.delete(sandbox.id);
    ctx.store.deleteSandbox(sandbox.id);
    ctx.logger.info({ sandbox: sandbox.id }, 'sandbox removed');
  });
}

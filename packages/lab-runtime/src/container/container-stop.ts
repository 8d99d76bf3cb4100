import { CriError } from '../cri/cri-error.ts';
import { releaseLayers } from '../image/image-service.ts';
import type { RuntimeContext } from '../runtime-context.ts';
import { containerLock } from '../runtime-context.ts';
import { lookupId } from '../store/id-lookup.ts';
import type { ContainerRecord } from '../store/records.ts';
import { checkExit, waitForExit } from './container-watch.ts';
import { signalProcess } from './proc-stat.ts';

const KILL_WAIT_MS = 10_000;

/**
 * containerd's stopContainer: with a timeout, the stop signal once (it is not repeated by a
 * later call), then SIGKILL when the timeout passes; timeout 0 is SIGKILL at once. Only the
 * container's first process is signalled: it is PID 1 of its PID namespace, so it ignores
 * signals it has no handler for (as in any container), and its exit ends every process in it.
 */
export async function stopRunningContainer(
  ctx: RuntimeContext,
  record: ContainerRecord,
  timeoutSeconds: number,
) {
  await checkExit(ctx, record.id);
  if (record.state !== 'running') return;
  if (timeoutSeconds > 0) {
    if (!record.stopSignalSent) {
      record.stopSignalSent = true;
      ctx.store.saveContainer(record);
      signalProcess(record.process, record.stopSignal as NodeJS.Signals);
      ctx.logger.info({ container: record.id, signal: record.stopSignal }, 'stopping container');
    }
    if (await waitForExit(ctx, record, timeoutSeconds * 1000)) return;
  }
  signalProcess(record.process, 'SIGKILL');
  if (!(await waitForExit(ctx, record, KILL_WAIT_MS))) {
    throw new CriError(
      'INTERNAL',
      `container ${record.id} did not exit ${KILL_WAIT_MS / 1000}s after SIGKILL`,
    );
  }
}

/** StopContainer: an unknown id or a container that is not running is fine. */
export async function stopContainer(
  ctx: RuntimeContext,
  id: string,
  timeoutSeconds: number,
): Promise<void> {
  const record = lookupId(ctx.containers, id, 'container');
  if (record === undefined) return;
  await ctx.locks.run(containerLock(record.id), () =>
    stopRunningContainer(ctx, record, timeoutSeconds),
  );
}

/** Stops (SIGKILL) and forgets a container and its files; the caller holds its lock. */
export async function removeContainerLocked(
  ctx: RuntimeContext,
  record: ContainerRecord,
): Promise<void> {
  await stopRunningContainer(ctx, record, 0);
  ctx.watches.get(record.id)?.output?.close();
  ctx.watches.delete(record.id);
  // The directory holds the overlay's upper and work dirs: the container's writable layer.
  ctx.store.deleteContainer(record.id);
  ctx.containers.delete(record.id);
  if (record.layers !== undefined) {
    ctx.images.snapshots.release(record.id);
    releaseLayers(ctx, record.layers);
  }
  ctx.logger.info({ container: record.id }, 'container removed');
}

/** RemoveContainer: force-stops a running container first; an unknown id is fine. */
export async function removeContainer(ctx: RuntimeContext, id: string): Promise<void> {
  const record = lookupId(ctx.containers, id, 'container');
  if (record === undefined) return;
  await ctx.locks.run(containerLock(record.id), async () => {
    if (ctx.containers.has(record.id)) await removeContainerLocked(ctx, record);
  });
}

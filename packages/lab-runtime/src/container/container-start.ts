import { statSync } from 'node:fs';
import { join } from 'node:path';
import { nowNsString } from '../cri/clock.ts';
import { CriError } from '../cri/cri-error.ts';
import type { RuntimeContext } from '../runtime-context.ts';
import { containerLock } from '../runtime-context.ts';
import { requireId } from '../store/id-lookup.ts';
import type { ContainerRecord } from '../store/records.ts';
import {
  CONTAINER_FILES,
  pollFor,
  readExitFile,
  readPidFile,
  setupLog,
  spawnShim,
} from './container-process.ts';
import { checkExit, watchContainer } from './container-watch.ts';
import { processIdentity, signalProcess } from './proc-stat.ts';

const SHIM_START_MS = 10_000;
const SETUP_MS = 30_000;

/** containerd marks a container that could not start EXITED with exit code 128, StartError. */
function startError(ctx: RuntimeContext, record: ContainerRecord, message: string): CriError {
  signalProcess(record.process, 'SIGKILL');
  signalProcess(record.shim, 'SIGKILL');
  record.state = 'exited';
  record.exitCode = 128;
  record.reason = 'StartError';
  record.message = message;
  record.finishedAt = nowNsString();
  ctx.store.saveContainer(record);
  return new CriError('INTERNAL', `failed to start container ${record.id}: ${message}`);
}

function startedAt(dir: string): string | undefined {
  const stats = statSync(join(dir, CONTAINER_FILES.started), {
    bigint: true,
    throwIfNoEntry: false,
  });
  return stats?.mtimeNs.toString();
}

function checkState(ctx: RuntimeContext, record: ContainerRecord) {
  if (record.state !== 'created') {
    throw new CriError(
      'FAILED_PRECONDITION',
      `container ${record.id} is in ${record.state} state, not created`,
    );
  }
  const sandbox = ctx.sandboxes.get(record.sandboxId);
  if (sandbox?.state !== 'ready') {
    throw new CriError(
      'FAILED_PRECONDITION',
      `sandbox ${record.sandboxId} of container ${record.id} is not ready`,
    );
  }
  return sandbox;
}

/**
 * StartContainer: spawn the shim; once it holds the output FIFOs (it wrote the PID file),
 * start copying the output, so even a command that exits at once loses nothing; then wait
 * until the setup script marked the start, just before it exec'd the command.
 */
export async function startContainer(ctx: RuntimeContext, id: string): Promise<void> {
  const record = requireId(ctx.containers, id, 'container');
  await ctx.locks.run(containerLock(record.id), async () => {
    const sandbox = checkState(ctx, record);
    if (record.startProblem !== '') throw startError(ctx, record, record.startProblem);
    const dir = ctx.store.containerDir(record.id);
    const child = spawnShim(dir, sandbox.netns);
    record.shim = child.pid === undefined ? null : (processIdentity(child.pid) ?? null);
    ctx.store.saveContainer(record);
    const pid = await pollFor(() => readPidFile(join(dir, CONTAINER_FILES.pid)), SHIM_START_MS);
    if (pid === undefined)
      throw startError(ctx, record, `the shim did not start (see ${dir}/shim.log)`);
    record.process = processIdentity(pid) ?? { pid, startTicks: '' };
    const watch = watchContainer(ctx, record, child);
    const started = await pollFor(
      () => startedAt(dir) ?? (readExitFile(dir) ? '' : undefined),
      SETUP_MS,
    );
    if (started === undefined || started === '') {
      watch.output?.close();
      ctx.watches.delete(record.id);
      throw startError(ctx, record, setupLog(dir) || 'the container setup did not finish');
    }
    record.state = 'running';
    record.startedAt = started;
    ctx.store.saveContainer(record);
    ctx.logger.info({ container: record.id, pid }, 'container started');
  });
  // It may have exited already (`echo hello`); the shim's exit event came while it was starting.
  await checkExit(ctx, record.id);
}

import type { ChildProcess } from 'node:child_process';
import { nowNsString } from '../cri/clock.ts';
import type { ContainerWatch, RuntimeContext } from '../runtime-context.ts';
import type { ContainerRecord } from '../store/records.ts';
import { attachContainerOutput } from './container-output.ts';
import type { ExitStatus } from './container-process.ts';
import { readExitFile, sleep } from './container-process.ts';
import { isAlive, signalProcess } from './proc-stat.ts';

// How long an exited container's output may take to reach EOF before it is recorded.
const DRAIN_TIMEOUT_MS = 2_000;

/** Exit reasons containerd reports (OOMKilled needs a cgroup, so never here). */
export function exitReason(code: number): string {
  return code === 0 ? 'Completed' : 'Error';
}

function lostStatus(ctx: RuntimeContext, record: ContainerRecord): ExitStatus {
  // Without its shim nobody can learn the exit status; a container left running would be an
  // orphan, so it goes (its PID namespace takes every process in it along).
  if (signalProcess(record.process, 'SIGKILL')) {
    ctx.logger.warn({ container: record.id }, 'container shim is gone; killed the container');
  }
  return { code: 255, finishedAt: nowNsString() };
}

async function finish(
  ctx: RuntimeContext,
  record: ContainerRecord,
  status: ExitStatus,
  lost: boolean,
) {
  const watch = ctx.watches.get(record.id);
  if (watch?.output !== undefined) {
    await Promise.race([watch.output.drained, sleep(DRAIN_TIMEOUT_MS)]);
    watch.output.close();
  }
  record.state = 'exited';
  record.exitCode = status.code;
  record.finishedAt = status.finishedAt;
  record.reason = lost ? 'Unknown' : exitReason(status.code);
  record.message = lost ? 'the container shim exited without recording an exit status' : '';
  ctx.store.saveContainer(record);
  ctx.watches.delete(record.id);
  watch?.markExited();
  ctx.logger.info(
    { container: record.id, exitCode: status.code, reason: record.reason },
    'container exited',
  );
}

/** Records the container as exited if it has; a no-op while it runs. Safe to call any time. */
export function checkExit(ctx: RuntimeContext, id: string): Promise<void> {
  // Its own lock: Stop and Remove hold the container's lock while they wait for the exit.
  return ctx.locks.run(`exit/${id}`, async () => {
    const record = ctx.containers.get(id);
    if (record === undefined || record.state !== 'running') return;
    const dir = ctx.store.containerDir(id);
    const status = readExitFile(dir);
    if (status !== undefined) return finish(ctx, record, status, false);
    if (isAlive(record.shim)) return;
    // The shim writes the status just before it exits; look once more before calling it lost.
    const late = readExitFile(dir);
    await finish(ctx, record, late ?? lostStatus(ctx, record), late === undefined);
  });
}

/**
 * Follows a running container: copies its output into its log and records its exit, noticed
 * by the shim's exit (when it is our child), by its output reaching EOF, or by the periodic
 * sweep (for re-adopted containers).
 */
export function watchContainer(
  ctx: RuntimeContext,
  record: ContainerRecord,
  shim?: ChildProcess,
): ContainerWatch {
  const dir = ctx.store.containerDir(record.id);
  let markExited = () => {};
  const exited = new Promise<void>((resolve) => {
    markExited = resolve;
  });
  const tty = record.config.tty;
  const output = attachContainerOutput(
    dir,
    record.logPath,
    tty,
    ctx.logger.child({ container: record.id }),
  );
  const watch: ContainerWatch = { output, exited, markExited };
  ctx.watches.set(record.id, watch);
  shim?.on('exit', () => void checkExit(ctx, record.id));
  void output.drained.then(() => checkExit(ctx, record.id));
  return watch;
}

/** The periodic sweep over running containers; returns a function that stops it. */
export function startExitSweep(ctx: RuntimeContext, intervalMs = 1_000): () => void {
  const timer = setInterval(() => {
    for (const record of ctx.containers.values()) {
      if (record.state === 'running') {
        checkExit(ctx, record.id).catch((error) => ctx.logger.error({ err: error }, 'exit check'));
      }
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** Resolves when the container is recorded as exited, or false after `timeoutMs`. */
export async function waitForExit(
  ctx: RuntimeContext,
  record: ContainerRecord,
  timeoutMs: number,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (record.state === 'running') {
    const watch = ctx.watches.get(record.id);
    const left = deadline - Date.now();
    if (left <= 0) return false;
    await Promise.race([watch?.exited ?? sleep(50), sleep(Math.min(left, 200))]);
    if (record.state === 'running') await checkExit(ctx, record.id);
  }
  return true;
}

import { join } from 'node:path';
import { deleteNetns, netnsExists } from '@loom-net/core';
import { CONTAINER_FILES, readPidFile } from './container/container-process.ts';
import { checkExit, watchContainer } from './container/container-watch.ts';
import { processIdentity, signalProcess } from './container/proc-stat.ts';
import { nowNsString } from './cri/clock.ts';
import type { RuntimeContext } from './runtime-context.ts';
import { teardownPodNetwork } from './sandbox/pod-network.ts';
import type { ContainerRecord, SandboxRecord } from './store/records.ts';

// A container directory whose record never got written (the runtime died inside
// CreateContainer) may still have a shim: its PID files are the only trace.
function killFromPidFiles(ctx: RuntimeContext, id: string): void {
  const dir = ctx.store.containerDir(id);
  for (const file of [CONTAINER_FILES.pid, CONTAINER_FILES.shimPid]) {
    const pid = readPidFile(join(dir, file));
    const identity = pid === undefined ? undefined : processIdentity(pid);
    // Only a process that lives in this container's directory is ours to kill.
    if (identity !== undefined) signalProcess(identity, 'SIGKILL');
  }
  ctx.store.deleteContainer(id);
}

function interruptedStart(ctx: RuntimeContext, record: ContainerRecord): void {
  signalProcess(record.process, 'SIGKILL');
  signalProcess(record.shim, 'SIGKILL');
  record.state = 'exited';
  record.exitCode = 128;
  record.reason = 'StartError';
  record.message = 'the lab runtime restarted while the container was starting';
  record.finishedAt = nowNsString();
  ctx.store.saveContainer(record);
}

async function recoverContainer(ctx: RuntimeContext, record: ContainerRecord): Promise<void> {
  if (!ctx.sandboxes.has(record.sandboxId)) {
    signalProcess(record.process, 'SIGKILL');
    ctx.containers.delete(record.id);
    ctx.store.deleteContainer(record.id);
    return;
  }
  if (record.state === 'created' && record.shim !== null) interruptedStart(ctx, record);
  if (record.state !== 'running') return;
  // Re-adopt a container whose shim still runs; otherwise checkExit records how it ended.
  if (processIdentity(record.shim?.pid ?? 0)?.startTicks === record.shim?.startTicks) {
    watchContainer(ctx, record);
    ctx.logger.info({ container: record.id, pid: record.process?.pid }, 'container re-adopted');
  }
  await checkExit(ctx, record.id);
}

async function recoverSandbox(ctx: RuntimeContext, sandbox: SandboxRecord): Promise<void> {
  if (sandbox.state === 'creating') {
    // RunPodSandbox never returned: undo it, as its own failure path would have.
    if (sandbox.networkAttached) await teardownPodNetwork(ctx, sandbox);
    if (sandbox.netns !== null) await deleteNetns(ctx.runner, sandbox.netns);
    ctx.sandboxes.delete(sandbox.id);
    ctx.store.deleteSandbox(sandbox.id);
    ctx.logger.warn({ sandbox: sandbox.id }, 'removed a sandbox left half-created');
    return;
  }
  if (sandbox.state === 'ready' && sandbox.netns !== null && !netnsExists(sandbox.netns)) {
    sandbox.state = 'notready';
    ctx.store.saveSandbox(sandbox);
    ctx.logger.warn(
      { sandbox: sandbox.id, netns: sandbox.netns },
      'sandbox lost its network namespace',
    );
  }
}

/**
 * Loads the checkpoint and reconciles it with what runs: re-adopt live shims (by PID and
 * start time), record containers that exited meanwhile, kill what lost its record, undo
 * half-created sandboxes. Problems are logged; one broken object never stops the runtime.
 */
export async function recoverState(ctx: RuntimeContext): Promise<void> {
  const sandboxes = ctx.store.loadSandboxes();
  const containers = ctx.store.loadContainers();
  for (const record of sandboxes.records) ctx.sandboxes.set(record.id, record);
  for (const record of containers.records) ctx.containers.set(record.id, record);
  for (const id of containers.broken) killFromPidFiles(ctx, id);
  for (const id of sandboxes.broken) {
    const netns = `${ctx.options.netnsPrefix}${id.slice(0, 12)}`;
    if (netnsExists(netns)) await deleteNetns(ctx.runner, netns);
    ctx.store.deleteSandbox(id);
  }
  for (const sandbox of sandboxes.records) {
    await recoverSandbox(ctx, sandbox).catch((error) =>
      ctx.logger.error({ err: error, sandbox: sandbox.id }, 'cannot recover sandbox'),
    );
  }
  for (const record of containers.records) {
    await recoverContainer(ctx, record).catch((error) =>
      ctx.logger.error({ err: error, container: record.id }, 'cannot recover container'),
    );
  }
  ctx.logger.info(
    { sandboxes: ctx.sandboxes.size, containers: ctx.containers.size },
    'state recovered',
  );
}

import { randomBytes } from 'node:crypto';
import { addNetns, deleteNetns, sysctlSet } from '@loom-net/core';
import { nowNsString } from '../cri/clock.ts';
import { CriError, describeError } from '../cri/cri-error.ts';
import type { PodSandboxConfig } from '../cri/cri-types.ts';
import type { RuntimeContext } from '../runtime-context.ts';
import type { SandboxRecord } from '../store/records.ts';
import { setupPodNetwork, teardownPodNetwork } from './pod-network.ts';
import { writeSandboxFiles } from './sandbox-files.ts';

export function isHostNetwork(config: PodSandboxConfig): boolean {
  return config.linux?.security_context?.namespace_options?.network === 'NODE';
}

function newSandbox(
  ctx: RuntimeContext,
  config: PodSandboxConfig,
  runtimeHandler: string,
): SandboxRecord {
  const meta = config.metadata;
  if (meta === null || meta.name === '' || meta.namespace === '') {
    throw new CriError(
      'INVALID_ARGUMENT',
      'sandbox config must include metadata with a name and a namespace',
    );
  }
  const id = randomBytes(32).toString('hex');
  const hostNetwork = isHostNetwork(config);
  return {
    id,
    name: `${meta.name}_${meta.namespace}_${meta.uid}_${meta.attempt}`,
    config,
    runtimeHandler,
    state: 'creating',
    createdAt: nowNsString(),
    hostNetwork,
    netns: hostNetwork ? null : `${ctx.options.netnsPrefix}${id.slice(0, 12)}`,
    networkAttached: false,
    ips: [],
  };
}

// Pod sysctls of the network namespace (net.*) apply in the pod's netns, as containerd does;
// the others would need an IPC namespace, which lab pods share with the node.
async function applySysctls(ctx: RuntimeContext, sandbox: SandboxRecord): Promise<void> {
  for (const [key, value] of Object.entries(sandbox.config.linux?.sysctls ?? {})) {
    if (sandbox.netns !== null && key.startsWith('net.')) {
      await sysctlSet(ctx.runner, key, value, sandbox.netns);
    } else {
      ctx.logger.warn(
        { sandbox: sandbox.id, key },
        'pod sysctl not supported by the lab runtime; ignored',
      );
    }
  }
}

async function createSandbox(ctx: RuntimeContext, sandbox: SandboxRecord): Promise<void> {
  writeSandboxFiles(ctx.store.sandboxDir(sandbox.id), sandbox.config);
  if (sandbox.netns !== null) {
    await addNetns(ctx.runner, sandbox.netns);
    sandbox.networkAttached = true;
    ctx.store.saveSandbox(sandbox);
    await applySysctls(ctx, sandbox);
    sandbox.ips = await setupPodNetwork(ctx, sandbox);
  }
}

// Undo a failed RunPodSandbox; if the undo fails too, keep the sandbox (NOTREADY) so that the
// kubelet's StopPodSandbox/RemovePodSandbox, or the next GC, retries the DEL.
async function rollBack(ctx: RuntimeContext, sandbox: SandboxRecord): Promise<void> {
  try {
    if (sandbox.networkAttached) await teardownPodNetwork(ctx, sandbox);
    if (sandbox.netns !== null) await deleteNetns(ctx.runner, sandbox.netns);
    ctx.sandboxes.delete(sandbox.id);
    ctx.store.deleteSandbox(sandbox.id);
  } catch (error) {
    sandbox.state = 'notready';
    ctx.store.saveSandbox(sandbox);
    ctx.logger.error(
      { err: error, sandbox: sandbox.id },
      'cannot clean up a sandbox that failed to start',
    );
  }
}

/**
 * RunPodSandbox: reserve the name, record the sandbox before touching the kernel (so a crash
 * never orphans a namespace), create the netns, run CNI ADD, write resolv.conf and hostname.
 */
export async function runPodSandbox(
  ctx: RuntimeContext,
  config: PodSandboxConfig | null,
  runtimeHandler: string,
) {
  if (config === null)
    throw new CriError('INVALID_ARGUMENT', 'RunPodSandbox needs a sandbox config');
  const sandbox = newSandbox(ctx, config, runtimeHandler);
  const holder = [...ctx.sandboxes.values()].find((s) => s.name === sandbox.name);
  if (holder !== undefined) {
    throw new CriError(
      'ALREADY_EXISTS',
      `failed to reserve sandbox name "${sandbox.name}": name is reserved for "${holder.id}"`,
    );
  }
  ctx.sandboxes.set(sandbox.id, sandbox);
  ctx.store.saveSandbox(sandbox);
  try {
    await createSandbox(ctx, sandbox);
  } catch (error) {
    await rollBack(ctx, sandbox);
    const pod = `${config.metadata!.namespace}/${config.metadata!.name}`;
    throw new CriError('INTERNAL', `failed to run pod sandbox ${pod}: ${describeError(error)}`, {
      cause: error,
    });
  }
  sandbox.state = 'ready';
  ctx.store.saveSandbox(sandbox);
  ctx.logger.info(
    { sandbox: sandbox.id, pod: sandbox.name, netns: sandbox.netns, ips: sandbox.ips },
    'sandbox ready',
  );
  return sandbox.id;
}

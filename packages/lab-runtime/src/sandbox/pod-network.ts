import { findInPath } from '@loom-net/cni-spec/invoke';
import {
  addNetworkList,
  type CniConfig,
  type CniNetworkList,
  type CniRuntimeConf,
  cachedNetworkList,
  deleteCachedAttachment,
  delNetworkList,
  ipsOnInterface,
  listCachedAttachments,
  loadFirstNetworkList,
} from '@loom-net/cni-spec/libcni';
import { netnsExists, netnsPath } from '@loom-net/core';
import { CriError } from '../cri/cri-error.ts';
import type { RuntimeContext } from '../runtime-context.ts';
import type { SandboxRecord } from '../store/records.ts';
import { capabilityArgsFor, cniArgsFor } from './cni-capabilities.ts';

const POD_IF = 'eth0';

/** go-cni's built-in loopback network, run for `lo` before the conf dir's network. */
export const LOOPBACK_LIST: CniNetworkList = (() => {
  const raw = { cniVersion: '0.3.1', name: 'cni-loopback', plugins: [{ type: 'loopback' }] };
  return {
    ...raw,
    disableCheck: false,
    disableGC: false,
    bytes: JSON.stringify(raw),
    file: '(built-in)',
  };
})();

/** libcni's configuration for this runtime: its bin dirs and its result cache. */
export function cniConfig(ctx: RuntimeContext): CniConfig {
  return { binDirs: ctx.options.cniBinDirs, cacheDir: ctx.options.cniCacheDir };
}

function runtimeConf(sandbox: SandboxRecord, netns: string, ifName: string): CniRuntimeConf {
  return {
    containerId: sandbox.id,
    netns,
    ifName,
    args: cniArgsFor(sandbox.id, sandbox.config),
    capabilityArgs: capabilityArgsFor(sandbox.config),
  };
}

// go-cni runs its built-in cni-loopback network first; without the loopback plugin in the
// bin dir, bring `lo` up directly rather than fail every pod.
async function setupLoopback(
  ctx: RuntimeContext,
  sandbox: SandboxRecord,
  netns: string,
): Promise<void> {
  if (findInPath('loopback', ctx.options.cniBinDirs) !== undefined) {
    await addNetworkList(LOOPBACK_LIST, runtimeConf(sandbox, netns, 'lo'), cniConfig(ctx));
    return;
  }
  await ctx.runner.run({ tool: 'ip', args: ['link', 'set', 'lo', 'up'], netns: sandbox.netns! });
}

/** CNI ADD for a new pod network namespace, as containerd's setupPodNetwork; the pod IPs. */
export async function setupPodNetwork(
  ctx: RuntimeContext,
  sandbox: SandboxRecord,
): Promise<string[]> {
  const load = loadFirstNetworkList(ctx.options.cniConfDir);
  if (!load.ok) {
    throw new CriError(
      'FAILED_PRECONDITION',
      `failed to setup network for sandbox ${sandbox.id}: ${load.message}`,
    );
  }
  const netns = netnsPath(sandbox.netns!);
  await setupLoopback(ctx, sandbox, netns);
  const result = await addNetworkList(
    load.list,
    runtimeConf(sandbox, netns, POD_IF),
    cniConfig(ctx),
  );
  const ips = ipsOnInterface(result, POD_IF);
  if (ips.length === 0) {
    throw new CriError(
      'INTERNAL',
      `failed to find network info for sandbox ${sandbox.id}: the CNI result has no IP on ${POD_IF}`,
    );
  }
  ctx.logger.info({ sandbox: sandbox.id, network: load.list.name, ips }, 'pod network set up');
  return ips;
}

/**
 * CNI DEL for every attachment of the pod: each with its cached ADD result as prevResult and
 * the config it was made with (the current one when it is the same network, so a switched CNI
 * config still releases what the old one allocated). With the netns gone, CNI_NETNS is "".
 * Without a cache entry for eth0 (an ADD that failed half-way), DEL runs with the current
 * config, as containerd does. Throws on failure; the caller retries later.
 */
export async function teardownPodNetwork(
  ctx: RuntimeContext,
  sandbox: SandboxRecord,
): Promise<void> {
  const netns =
    sandbox.netns !== null && netnsExists(sandbox.netns) ? netnsPath(sandbox.netns) : '';
  const current = loadFirstNetworkList(ctx.options.cniConfDir);
  const cached = listCachedAttachments(ctx.options.cniCacheDir, sandbox.id);
  for (const entry of cached) {
    const list =
      entry.networkName === LOOPBACK_LIST.name
        ? LOOPBACK_LIST
        : current.ok && current.list.name === entry.networkName
          ? current.list
          : cachedNetworkList(entry);
    if (list === undefined) {
      // An entry whose config cannot be read can never be deleted with it; drop it.
      ctx.logger.warn(
        { sandbox: sandbox.id, network: entry.networkName },
        'unreadable CNI cache entry',
      );
      deleteCachedAttachment(ctx.options.cniCacheDir, entry);
      continue;
    }
    const rt = runtimeConf(sandbox, netns, entry.ifName);
    const fromCache = {
      ...rt,
      args: entry.cniArgs ?? rt.args,
      capabilityArgs: entry.capabilityArgs ?? rt.capabilityArgs,
    };
    await delNetworkList(list, fromCache, cniConfig(ctx));
  }
  if (!cached.some((entry) => entry.ifName === POD_IF) && current.ok) {
    await delNetworkList(current.list, runtimeConf(sandbox, netns, POD_IF), cniConfig(ctx));
  }
  ctx.logger.info({ sandbox: sandbox.id }, 'pod network torn down');
}

import type { CniAttachment } from '@loom-net/cni-spec';
import { errorText } from '@loom-net/cni-spec';
import { findInPath } from '@loom-net/cni-spec/invoke';
import {
  cachedNetworkList,
  delNetworkList,
  gcNetworkList,
  listCachedAttachments,
  loadFirstNetworkList,
} from '@loom-net/cni-spec/libcni';
import { deleteNetns, NETNS_RUN_DIR, netnsExists } from '@loom-net/core';
import type { RuntimeContext } from '../runtime-context.ts';
import { cniConfig, LOOPBACK_LIST } from './pod-network.ts';

const NETNS_DIR = `${NETNS_RUN_DIR}/`;

function validAttachments(ctx: RuntimeContext): CniAttachment[] {
  return [...ctx.sandboxes.values()]
    .filter((s) => s.networkAttached)
    .flatMap((s) => [
      { containerId: s.id, ifname: 'eth0' },
      { containerId: s.id, ifname: 'lo' },
    ]);
}

// Attachments of a network that is no longer the configured one (the conf dir changed while
// the runtime was down): libcni's GC only sees the current network, so DEL these with the
// config they were made with.
async function collectForeign(
  ctx: RuntimeContext,
  known: Set<string>,
  valid: CniAttachment[],
): Promise<void> {
  for (const entry of listCachedAttachments(ctx.options.cniCacheDir)) {
    if (known.has(entry.networkName)) continue;
    if (valid.some((a) => a.containerId === entry.containerId)) continue;
    const list = cachedNetworkList(entry);
    if (list === undefined) continue;
    const rt = {
      containerId: entry.containerId,
      netns: entry.netns !== undefined && netnsExistsByPath(entry.netns) ? entry.netns : '',
      ifName: entry.ifName,
      args: entry.cniArgs ?? [],
      capabilityArgs: entry.capabilityArgs ?? {},
    };
    await delNetworkList(list, rt, cniConfig(ctx)).catch((error) =>
      ctx.logger.warn(
        { err: errorText(error), attachment: entry.containerId },
        'cannot delete stale CNI attachment',
      ),
    );
  }
}

// The netns of a cached attachment no sandbox owns (its record was lost): ours by its prefix,
// so it goes once the attachment is deleted.
function strayNamespaces(ctx: RuntimeContext): string[] {
  const owned = new Set([...ctx.sandboxes.values()].map((s) => s.netns));
  const names = listCachedAttachments(ctx.options.cniCacheDir)
    .filter((entry) => !ctx.sandboxes.has(entry.containerId) && entry.netns?.startsWith(NETNS_DIR))
    .map((entry) => entry.netns!.slice(NETNS_DIR.length))
    .filter((name) => name.startsWith(ctx.options.netnsPrefix) && !owned.has(name));
  return [...new Set(names)];
}

function netnsExistsByPath(path: string): boolean {
  const name = path.slice(NETNS_DIR.length);
  return path.startsWith(NETNS_DIR) && name !== '' && !name.includes('/') && netnsExists(name);
}

/**
 * Garbage collection after a restart, as libcni's GCNetworkList: CNI DEL for every cached
 * attachment no live sandbox owns (then the GC verb for spec 1.1 networks), and the netns of
 * stopped sandboxes.
 */
export async function collectGarbage(ctx: RuntimeContext): Promise<void> {
  const valid = validAttachments(ctx);
  const strayNetns = strayNamespaces(ctx);
  const lists = [LOOPBACK_LIST];
  const current = loadFirstNetworkList(ctx.options.cniConfDir);
  if (current.ok) lists.push(current.list);
  for (const list of lists) {
    const plugin = list === LOOPBACK_LIST ? findInPath('loopback', ctx.options.cniBinDirs) : '';
    if (plugin === undefined) continue;
    for (const error of await gcNetworkList(list, valid, cniConfig(ctx))) {
      ctx.logger.warn({ err: errorText(error), network: list.name }, 'CNI garbage collection');
    }
  }
  await collectForeign(ctx, new Set(lists.map((l) => l.name)), valid);
  for (const name of strayNetns) {
    if (netnsExists(name)) await deleteNetns(ctx.runner, name);
  }
  for (const sandbox of ctx.sandboxes.values()) {
    if (
      sandbox.state === 'notready' &&
      !sandbox.networkAttached &&
      sandbox.netns !== null &&
      netnsExists(sandbox.netns)
    ) {
      await deleteNetns(ctx.runner, sandbox.netns);
    }
  }
}

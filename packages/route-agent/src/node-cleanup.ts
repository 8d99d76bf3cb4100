import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { MASQ_TABLE } from '@loom-net/cni';
import { type CommandRunner, ipBatch, ipLinks, ipRoutes } from '@loom-net/core';
import { AGENT_DEFAULTS } from './agent-defaults.ts';
import { createMasqueradeTable } from './masquerade-table.ts';

/** Where Loom's state lives on a node; every field defaults to what the agent and the CNI
 * install step use (`AGENT_DEFAULTS`, loom-cni-install's files). */
export interface NodeCleanupOptions {
  readonly runner: CommandRunner;
  /** Clean a named netns instead of the current one (tests). */
  readonly netns?: string;
  readonly routeProtocol: number;
  readonly vxlanDevice: string;
  /** The route agent's masquerade table and loom-cni's `ipMasq` table, both family inet. */
  readonly nftTables: readonly string[];
  readonly bridge: string;
  /** The conflist the agent writes (`/etc/cni/net.d/10-loom.conflist`). */
  readonly conflistPath: string;
  readonly binDir: string;
  /** Files loom-cni-install puts in `binDir`. */
  readonly binFiles: readonly string[];
  readonly ipamDataDir: string;
}

export const NODE_CLEANUP_DEFAULTS = {
  routeProtocol: AGENT_DEFAULTS.routeProtocol,
  vxlanDevice: AGENT_DEFAULTS.vxlanDevice,
  nftTables: [AGENT_DEFAULTS.nftTable, MASQ_TABLE],
  bridge: AGENT_DEFAULTS.cniBridge,
  conflistPath: join(AGENT_DEFAULTS.cniConfDir, AGENT_DEFAULTS.cniConfFile),
  binDir: AGENT_DEFAULTS.cniBinDir,
  binFiles: ['loom-cni', 'loom-ipam', 'loom-node'],
  ipamDataDir: AGENT_DEFAULTS.ipamDataDir,
} as const;

export type Removal = 'removed' | 'absent';

/** What one cleanup did; a second run on the same node reports only `absent`s and zeros. */
export interface NodeCleanupReport {
  /** Routes with Loom's protocol that were deleted, as `dst` (both families, table main). */
  readonly routes: readonly string[];
  readonly vxlanDevice: Removal;
  /** nft tables (inet) deleted. */
  readonly nftTables: readonly string[];
  /** Kept while pod interfaces remain on it: deleting it would cut those pods off. */
  readonly bridge: Removal | { readonly kept: readonly string[] };
  /** Files deleted (the conflist, the plugin executables). */
  readonly files: readonly string[];
  /** Kept with the bridge: live pods' addresses must not be handed out again. */
  readonly ipamState: Removal | 'kept';
}

/**
 * Undoes what Loom did to a node, in the order that keeps each step harmless if a later one
 * fails: routes and the tunnel first (traffic to other nodes stops), then the masquerade
 * tables, the bridge (only when no pod is left on it), and last the files, so a half-cleaned
 * node is never told by a remaining conflist that a network exists. Forwarding sysctls stay
 * on: kube-proxy and other CNIs need them, and the node had no way to say what it had before.
 * Idempotent: everything already gone counts as done.
 */
export async function cleanNode(options: NodeCleanupOptions): Promise<NodeCleanupReport> {
  const routes = await deleteOwnedRoutes(options);
  const vxlanDevice = await deleteLink(options, options.vxlanDevice);
  const nftTables = await deleteNftTables(options);
  const pods = await bridgePorts(options);
  const bridge = pods.length > 0 ? { kept: pods } : await deleteLink(options, options.bridge);
  const files = await removeFiles([
    options.conflistPath,
    ...options.binFiles.map((file) => join(options.binDir, file)),
  ]);
  const ipamState = pods.length > 0 ? 'kept' : await removeTree(options.ipamDataDir);
  return { routes, vxlanDevice, nftTables, bridge, files, ipamState };
}

async function deleteOwnedRoutes(options: NodeCleanupOptions): Promise<string[]> {
  const { runner, netns, routeProtocol } = options;
  const proto = String(routeProtocol);
  const list = (family: '-4' | '-6') =>
    ipRoutes(runner, ['-Numeric', family, 'route', 'show', 'table', 'main', 'proto', proto], netns);
  const owned = [...(await list('-4')), ...(await list('-6'))].map((route) => route.dst);
  // `ip route del` takes the family from the destination; the protocol keeps others' routes safe.
  await ipBatch(
    runner,
    owned.map((dst) => `route del ${dst} table main proto ${proto}`),
    netns,
  );
  return owned;
}

async function linkExists(options: NodeCleanupOptions, name: string): Promise<boolean> {
  const links = await ipLinks(options.runner, ['link', 'show'], options.netns);
  return links.some((link) => link.ifname === name);
}

async function deleteLink(options: NodeCleanupOptions, name: string): Promise<Removal> {
  if (!(await linkExists(options, name))) return 'absent';
  await ipBatch(options.runner, [`link del ${name}`], options.netns);
  return 'removed';
}

async function deleteNftTables(options: NodeCleanupOptions): Promise<string[]> {
  const removed: string[] = [];
  for (const table of options.nftTables) {
    const masquerade = createMasqueradeTable({
      runner: options.runner,
      netns: options.netns,
      table,
    });
    if ((await masquerade.remove()) === 'removed') removed.push(table);
  }
  return removed;
}

/** The interfaces enslaved to the bridge: pods' host-side veths. */
async function bridgePorts(options: NodeCleanupOptions): Promise<string[]> {
  if (!(await linkExists(options, options.bridge))) return [];
  const ports = await ipLinks(
    options.runner,
    ['link', 'show', 'master', options.bridge],
    options.netns,
  );
  return ports.map((port) => port.ifname);
}

async function removeFiles(paths: readonly string[]): Promise<string[]> {
  const removed: string[] = [];
  for (const path of paths) {
    if ((await removeTree(path)) === 'removed') removed.push(path);
  }
  return removed;
}

async function removeTree(path: string): Promise<Removal> {
  const present = await stat(path).then(
    () => true,
    () => false,
  );
  if (!present) return 'absent';
  await rm(path, { recursive: true, force: true });
  return 'removed';
}

/** One line per thing removed or kept, for the cleanup pod's log and `loom uninstall`. */
export function describeCleanup(report: NodeCleanupReport): string {
  const parts = [
    `${report.routes.length} route(s)`,
    `vxlan ${report.vxlanDevice}`,
    `nft tables removed: ${report.nftTables.join(', ') || 'none'}`,
    typeof report.bridge === 'string'
      ? `bridge ${report.bridge}`
      : `bridge kept (pods on ${report.bridge.kept.join(', ')})`,
    `files removed: ${report.files.length}`,
    `ipam state ${report.ipamState}`,
  ];
  return parts.join('; ');
}

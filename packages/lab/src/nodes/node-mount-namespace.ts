import { existsSync, mkdirSync, realpathSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { NETNS_RUN_DIR } from '@loom-net/core';
import type { LabConfig } from '../config/lab-config.ts';
import { LabError } from '../errors.ts';
import {
  allMountTables,
  isShared,
  type MountEntry,
  mountAt,
  parseMountinfo,
  readMountTable,
} from '../mounts/mountinfo.ts';
import { namespaceIdentity } from '../process/namespace-members.ts';
import { mustRunTool, runTool } from '../process/run-tool.ts';
import { NODE_MOUNT_PATHS, type NodePlan, nodeTreePath } from './node-plan.ts';

const mountError = (detail: string) => new LabError('LOOM_LAB_MOUNT_FAILED', detail);

// Shell words: every path is the lab's own, but a state dir may hold a space or a quote.
const quote = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`;

/**
 * The commands that turn a fresh copy of the root mount namespace into a node's: every mount
 * that is shared with the root namespace becomes private (so nothing the kubelet mounts leaks
 * back), except the netns directory, which stays in the root's peer group so that the pod
 * namespaces the runtime creates are visible (and removable) from the root namespace; then
 * the node's tree is bind-mounted at the standard paths.
 */
export function nodeMountScript(input: {
  privatize: readonly string[];
  binds: readonly { source: string; target: string }[];
}): string {
  const lines = [
    // A mount that went away since the table was read (another program's) is no error.
    ...input.privatize.map(
      (path) => `if mountpoint -q ${quote(path)}; then mount --make-private ${quote(path)}; fi`,
    ),
    // mkdir: another lab's `down` may have removed an unused mount point meanwhile.
    ...input.binds.flatMap(({ source, target }) => [
      `mkdir -p ${quote(target)}`,
      `mount --bind ${quote(source)} ${quote(target)}`,
    ]),
  ];
  return `${lines.join('\n')}\n`;
}

export function nodeBinds(node: Pick<NodePlan, 'root'>): { source: string; target: string }[] {
  return NODE_MOUNT_PATHS.map((target) => ({ source: nodeTreePath(node, target), target }));
}

/** The netns directory as mountinfo names it (/var/run is a symlink to /run). */
function netnsMountPoint(): string {
  return realpathSync(NETNS_RUN_DIR);
}

/**
 * Shared mounts of the root namespace a node must not stay a peer of: all but the netns
 * directory and the namespaces bound in it (those stay peers, so a namespace deleted on one
 * side is gone on the other too).
 */
export function mountsToPrivatize(table: readonly MountEntry[], netnsDir: string): string[] {
  const points = table.filter(isShared).map((entry) => entry.mountPoint);
  return [...new Set(points)].filter(
    (point) => point !== netnsDir && !point.startsWith(`${netnsDir}/`),
  );
}

/**
 * iproute2 makes its netns directory a shared mount on first use (the lab's own namespaces
 * were made with it before any node). If it is not shared, pod namespaces made inside a node
 * would be invisible here: say so rather than leak them.
 */
export function assertNetnsDirShared(): void {
  const netnsDir = netnsMountPoint();
  const entry = mountAt(readMountTable(), netnsDir);
  if (entry === undefined || !isShared(entry)) {
    throw new LabError(
      'LOOM_LAB_MOUNT_FAILED',
      `cannot give nodes a view of ${netnsDir}: it is not a shared mount in this namespace (iproute2 makes it one; run: mount --make-shared ${netnsDir})`,
    );
  }
}

/**
 * The directory holding the nodes' mount-namespace files, bind-mounted on itself with private
 * propagation: the kernel binds a namespace file only on a mount that is not shared.
 */
export async function ensureMountNamespaceDir(config: LabConfig): Promise<void> {
  const dir = config.paths.mountNamespaceDir;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (mountAt(readMountTable(), dir) !== undefined) return;
  await mustRunTool(['mount', '--bind', dir, dir], mountError);
  await mustRunTool(['mount', '--make-private', dir], mountError);
}

export async function removeMountNamespaceDir(config: LabConfig): Promise<void> {
  const dir = config.paths.mountNamespaceDir;
  while (mountAt(readMountTable(), dir) !== undefined) {
    await mustRunTool(['umount', dir], mountError);
  }
  rmSync(dir, { recursive: true, force: true });
}

/** The node's mount table, read from inside its namespace; undefined when there is none. */
async function nodeMountTable(node: NodePlan): Promise<MountEntry[] | undefined> {
  if (namespaceIdentity('mnt', node.mountNamespace) === undefined) return undefined;
  const result = await runTool([
    'nsenter',
    `--mount=${node.mountNamespace}`,
    '--',
    'cat',
    '/proc/self/mountinfo',
  ]);
  return result.exitCode === 0 ? parseMountinfo(result.stdout) : undefined;
}

/** The namespace exists and every standard path is mounted in it. */
export async function mountNamespaceIsWhole(node: NodePlan): Promise<boolean> {
  const table = await nodeMountTable(node);
  return (
    table !== undefined && NODE_MOUNT_PATHS.every((path) => mountAt(table, path) !== undefined)
  );
}

/**
 * Makes the node's persistent mount namespace: `unshare --mount=<file>` keeps it alive with no
 * process in it, then the script above runs inside. A half-made one is unmounted first (its
 * processes must have been stopped: they would keep the old one alive).
 */
export async function createNodeMountNamespace(node: NodePlan): Promise<void> {
  await removeNodeMountNamespace(node);
  for (const { source } of nodeBinds(node)) mkdirSync(source, { recursive: true });
  writeFileSync(node.mountNamespace, '');
  const fail = (detail: string) =>
    mountError(`cannot create the mount namespace of ${node.name}: ${detail}`);
  await mustRunTool(
    ['unshare', `--mount=${node.mountNamespace}`, '--propagation', 'unchanged', 'true'],
    fail,
  );
  const script = nodeMountScript({
    privatize: mountsToPrivatize(readMountTable(), netnsMountPoint()),
    binds: nodeBinds(node),
  });
  await mustRunTool(
    ['nsenter', `--mount=${node.mountNamespace}`, '--', '/bin/sh', '-euc', script],
    fail,
  );
}

/**
 * Unbinds the namespace file. The namespace, and every mount in it (the kubelet's bind mounts
 * and token tmpfs), goes away once its last process is gone.
 */
export async function removeNodeMountNamespace(node: NodePlan): Promise<void> {
  while (mountAt(readMountTable(), node.mountNamespace) !== undefined) {
    await mustRunTool(['umount', node.mountNamespace], mountError);
  }
  rmSync(node.mountNamespace, { force: true });
}

/**
 * Creates the standard paths on the host where they are missing: a bind mount needs a
 * directory to mount on, even in another namespace. Returns what it created, parents first.
 */
export function ensureHostMountPoints(): string[] {
  const created: string[] = [];
  for (const path of NODE_MOUNT_PATHS) {
    const missing: string[] = [];
    for (let dir: string = path; !existsSync(dir); dir = dirname(dir)) missing.unshift(dir);
    mkdirSync(path, { recursive: true, mode: 0o755 });
    created.push(...missing);
  }
  return created;
}

/**
 * Removes directories `up` created on the host, deepest first, keeping any that is not empty
 * or that a mount namespace still mounts on (another lab's node): removing a mount point in
 * another namespace would silently detach that mount there. Processes killed just before may
 * take a moment to release their namespaces, so a directory still in use is retried briefly.
 */
export async function removeHostDirs(dirs: readonly string[], graceMs = 3_000): Promise<string[]> {
  const deadline = Date.now() + graceMs;
  let inUse = mountPointsInUse(dirs);
  while (inUse.size > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    inUse = mountPointsInUse(dirs);
  }
  const removed: string[] = [];
  for (const dir of [...dirs].sort((a, b) => b.length - a.length)) {
    if (inUse.has(dir)) continue;
    try {
      rmdirSync(dir);
      removed.push(dir);
    } catch {
      // Not empty (someone else's files), or already gone.
    }
  }
  return removed;
}

function mountPointsInUse(dirs: readonly string[]): Set<string> {
  const wanted = new Set(dirs);
  return new Set(
    allMountTables().flatMap(({ table }) =>
      table.map((entry) => entry.mountPoint).filter((point) => wanted.has(point)),
    ),
  );
}

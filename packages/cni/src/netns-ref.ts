import { existsSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { NETNS_RUN_DIR } from '@loom-net/core/kernel';
import { CNI_ERROR, CniError } from '@loom-net/ipam';

// iproute2 mounts named namespaces in /run/netns; /var/run is a link to /run on every
// current distribution, and runtimes spell it either way.
const RUN_DIRS = new Set([NETNS_RUN_DIR, '/run/netns']);

/**
 * How core's command runner addresses the namespace at CNI_NETNS: by name when it is a named
 * namespace (`/var/run/netns/cni-1234` → `cni-1234`, entered with `ip -n`), else by the path
 * itself (`/proc/<pid>/ns/net`), which the runner must enter with `nsenter --net=<path>`.
 */
export function runnerNetns(netnsPath: string): string {
  return RUN_DIRS.has(dirname(netnsPath)) ? basename(netnsPath) : netnsPath;
}

/** Whether the namespace is still there (DEL tolerates a gone one). */
export function netnsPresent(netnsPath: string): boolean {
  return existsSync(netnsPath);
}

/** The pod namespace of an ADD or CHECK, as a path and as the runner's name for it. */
export interface PodNetns {
  path: string;
  name: string;
}

export function requirePodNetns(netnsPath: string | undefined): PodNetns {
  if (netnsPath === undefined)
    throw new CniError(CNI_ERROR.invalidEnvironment, 'CNI_NETNS is not set');
  if (!netnsPresent(netnsPath)) {
    throw new CniError(CNI_ERROR.invalidEnvironment, `CNI_NETNS ${netnsPath} does not exist`);
  }
  const name = runnerNetns(netnsPath);
  return { path: netnsPath, name };
}

import { existsSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { CNI_ERROR, CniError } from '@loom-net/cni-spec';
import { NETNS_RUN_DIR, netnsPath as namedNetnsPath } from '@loom-net/core/kernel';
import { batchWord } from './ip-batch.ts';

// iproute2 mounts named namespaces in /run/netns; /var/run is a link to /run on every
// current distribution, and runtimes spell it either way.
const RUN_DIRS = new Set([NETNS_RUN_DIR, '/run/netns']);

/**
 * How core's command runner addresses the namespace at CNI_NETNS: by name when it is a named
 * namespace (`/var/run/netns/cni-1234` → `cni-1234`, entered with `ip -n`), else by the path
 * itself (`/proc/<pid>/ns/net`, or a file of the run directory whose name `ip -n` cannot take),
 * which the runner enters with `nsenter --net=<path>`.
 */
export function runnerNetns(netnsPath: string): string {
  const name = basename(netnsPath);
  return RUN_DIRS.has(dirname(netnsPath)) && isNetnsName(name) ? name : netnsPath;
}

// core's netnsPath refuses a name that `ip -n` could not take (or that would climb out of the
// run directory).
function isNetnsName(name: string): boolean {
  try {
    namedNetnsPath(name);
    return true;
  } catch {
    return false;
  }
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
  // ADD creates the pod's end of the veth pair by naming this path in its host `ip -batch`.
  if (batchWord(netnsPath) === undefined) {
    throw new CniError(
      CNI_ERROR.invalidEnvironment,
      `CNI_NETNS ${JSON.stringify(netnsPath)} cannot be used: loom-cni passes it to ip -batch, which cannot read a path holding '#', a line break, or whitespace together with both ' and "`,
    );
  }
  if (!netnsPresent(netnsPath)) {
    throw new CniError(CNI_ERROR.invalidEnvironment, `CNI_NETNS ${netnsPath} does not exist`);
  }
  return { path: netnsPath, name: runnerNetns(netnsPath) };
}

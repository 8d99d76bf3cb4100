import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';

export type NamespaceKind = 'net' | 'mnt';

/**
 * The identity of the namespace bound at `path` (a `/var/run/netns/<name>` or a mount
 * namespace file), as /proc/<pid>/ns/<kind> links name it: `net:[4026532452]`. Undefined when
 * nothing is bound there (a plain file left after a reboot is not a namespace).
 */
export function namespaceIdentity(kind: NamespaceKind, path: string): string | undefined {
  try {
    const bound = statSync(path);
    // Every namespace file lives on the one nsfs superblock: the same device as our own.
    if (bound.dev !== statSync(`/proc/self/ns/${kind}`).dev) return undefined;
    return `${kind}:[${bound.ino}]`;
  } catch {
    return undefined;
  }
}

/**
 * PIDs of the processes that are in any of `identities` (network or mount namespaces). Used
 * to find what is left in a node's namespaces at teardown: by construction everything there
 * is the lab's (its kubelet, its runtime, their containers), and it is signalled by PID.
 */
export function processesInNamespaces(identities: ReadonlySet<string>): number[] {
  if (identities.size === 0) return [];
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (pid === process.pid || pid === 1) continue;
    for (const kind of ['net', 'mnt'] as const) {
      try {
        if (identities.has(readlinkSync(`/proc/${pid}/ns/${kind}`))) {
          pids.push(pid);
          break;
        }
      } catch {
        break;
      }
    }
  }
  return pids;
}

/**
 * SIGKILLs every process in `identities` until none is left (a dying shell may still fork),
 * or `timeoutMs` passes. Returns the PIDs it signalled; zombies count as gone.
 */
export async function killNamespaceMembers(
  identities: ReadonlySet<string>,
  timeoutMs = 10_000,
): Promise<number[]> {
  const killed = new Set<number>();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const alive = processesInNamespaces(identities).filter((pid) => !isZombie(pid));
    if (alive.length === 0) return [...killed];
    if (Date.now() > deadline) {
      throw new Error(
        `processes ${alive.join(', ')} survived SIGKILL in ${[...identities].join(', ')}`,
      );
    }
    for (const pid of alive) {
      try {
        process.kill(pid, 'SIGKILL');
        killed.add(pid);
      } catch {}
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return true;
  }
}

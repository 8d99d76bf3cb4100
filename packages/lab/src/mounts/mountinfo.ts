import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** One line of /proc/<pid>/mountinfo (proc(5)), the fields the lab needs. */
export interface MountEntry {
  id: number;
  parentId: number;
  /** The path inside its filesystem that is mounted (`/run/netns` for a bind of it). */
  root: string;
  mountPoint: string;
  /** Propagation tags: `shared:1`, `master:2`, `propagate_from:3`, `unbindable`. */
  optional: string[];
  fsType: string;
  source: string;
}

// Paths in mountinfo escape space, tab, newline and backslash as \ooo octal.
function unescapeOctal(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) =>
    String.fromCharCode(parseInt(octal, 8)),
  );
}

export function parseMountinfo(text: string): MountEntry[] {
  const entries: MountEntry[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const fields = line.split(' ');
    const separator = fields.indexOf('-', 6);
    if (separator < 0 || fields.length < separator + 3) continue;
    entries.push({
      id: Number(fields[0]),
      parentId: Number(fields[1]),
      root: unescapeOctal(fields[3]!),
      mountPoint: unescapeOctal(fields[4]!),
      optional: fields.slice(6, separator),
      fsType: fields[separator + 1]!,
      source: unescapeOctal(fields[separator + 2]!),
    });
  }
  return entries;
}

export function isShared(entry: MountEntry): boolean {
  return entry.optional.some((tag) => tag.startsWith('shared:'));
}

/** The mount table of this process's mount namespace (or of `pid`'s). */
export function readMountTable(pid: number | 'self' = 'self'): MountEntry[] {
  return parseMountinfo(readFileSync(`/proc/${pid}/mountinfo`, 'utf8'));
}

/** The topmost mount at `path`, or undefined when `path` is not a mount point. */
export function mountAt(table: readonly MountEntry[], path: string): MountEntry | undefined {
  return table.findLast((entry) => entry.mountPoint === path);
}

/**
 * Every mount namespace on the machine that has a live process, once each, with its table:
 * what `down` consults before removing a directory another namespace may still mount on.
 */
export function allMountTables(): { namespace: string; table: MountEntry[] }[] {
  const seen = new Set<string>();
  const tables: { namespace: string; table: MountEntry[] }[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const namespace = readlinkSync(`/proc/${name}/ns/mnt`);
      if (seen.has(namespace)) continue;
      seen.add(namespace);
      tables.push({ namespace, table: readMountTable(Number(name)) });
    } catch {
      // The process exited while we looked.
    }
  }
  return tables;
}

import { renameSync, writeFileSync } from 'node:fs';

/** Write to a temporary name, then rename: a reader sees the old file or the new, never half. */
export function writeFileAtomic(path: string, content: string, mode = 0o644): void {
  const temporary = `${path}.tmp-${process.pid}`;
  writeFileSync(temporary, content, { mode });
  renameSync(temporary, path);
}

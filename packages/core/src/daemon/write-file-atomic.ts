import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fchmodSync,
  fsyncSync,
  openSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface WriteFileAtomicOptions {
  /** The file's permission bits, exactly (the umask does not apply); default 0o644. */
  readonly mode?: number;
}

/** A file could not be written; `cause` holds the system error (ENOSPC, ENOENT, …). */
export class AtomicWriteError extends Error {
  readonly code = 'LOOM_ATOMIC_WRITE';
  readonly path: string;
  constructor(path: string, cause: unknown) {
    super(`cannot write ${path}: ${(cause as Error).message}`, { cause });
    this.name = 'AtomicWriteError';
    this.path = path;
  }
}

/**
 * Writes `path` so that a reader sees the old content or the new, never part of either, even
 * across a crash or `kill -9`: write a temporary file in the same directory (a rename is
 * atomic only within one filesystem), fsync it (else the rename can reach the disk before
 * the data, leaving an empty file after a power cut), rename it over `path`, fsync the
 * directory (else the rename itself can be lost). The temporary name starts with `.` and
 * ends in `.tmp`, which libcni's config scan and the kubelet's plugin probe ignore; it is
 * removed when the write fails.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: WriteFileAtomicOptions = {},
): Promise<void> {
  const mode = options.mode ?? 0o644;
  const temp = temporaryPathFor(path);
  try {
    const file = await open(temp, 'wx', mode);
    try {
      await file.writeFile(data);
      await file.chmod(mode);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temp, path);
    await syncDirectory(dirname(path));
  } catch (error) {
    await rm(temp, { force: true });
    throw new AtomicWriteError(path, error);
  }
}

/** {@link writeFileAtomic} for callers that cannot await (the lab's state and config files). */
export function writeFileAtomicSync(
  path: string,
  data: string | Uint8Array,
  options: WriteFileAtomicOptions = {},
): void {
  const mode = options.mode ?? 0o644;
  const temp = temporaryPathFor(path);
  try {
    const fd = openSync(temp, 'wx', mode);
    try {
      writeFileSync(fd, data);
      fchmodSync(fd, mode);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
    const directory = openSync(dirname(path), 'r');
    try {
      fsyncSync(directory);
    } finally {
      closeSync(directory);
    }
  } catch (error) {
    rmSync(temp, { force: true });
    throw new AtomicWriteError(path, error);
  }
}

// Random, not the pid: two writers of one path in one process must not share a temp file.
function temporaryPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.tmp`);
}

async function syncDirectory(dir: string): Promise<void> {
  const directory = await open(dir, 'r');
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
}

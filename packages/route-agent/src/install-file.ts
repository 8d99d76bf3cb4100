import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { type ChunkRewrite, rewriteFirstLine } from './first-line-rewrite.ts';

/** A file's size and SHA-256 (hex). */
export interface FileDigest {
  readonly size: number;
  readonly sha256: string;
}

export interface InstallFileOptions {
  readonly source: string;
  readonly target: string;
  /** Permission bits of the installed file, exactly; default 0o755. */
  readonly mode?: number;
  /** Replaces the source's first line (a `#!` line) with this one, without its newline. */
  readonly firstLine?: string;
}

export interface InstallFileOutcome {
  readonly target: string;
  readonly action: 'copied' | 'unchanged';
  /** Of the installed content (after any first-line rewrite). */
  readonly digest: FileDigest;
}

/** A file could not be installed: what, where, and the system error as `cause`. */
export class InstallFileError extends Error {
  readonly code = 'LOOM_INSTALL_FILE';
  /** `source-missing`: the source does not exist; `failed`: reading or writing failed. */
  readonly reason: 'source-missing' | 'failed';
  constructor(message: string, reason: 'source-missing' | 'failed', options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InstallFileError';
    this.reason = reason;
  }
}

// One buffer per read loop, reused for every chunk: streaming with fresh 64 KiB Buffers left
// garbage for the GC to find later, and a 127 MB copy peaked at 175 MB RSS.
const CHUNK_BYTES = 1 << 20;

/** The chunks of `path`, read into one reused buffer: use each before asking for the next. */
async function* readChunks(path: string): AsyncGenerator<Uint8Array> {
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    for (;;) {
      const { bytesRead } = await file.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) return;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await file.close();
  }
}

const contentOf = (path: string, rewrite?: ChunkRewrite) =>
  rewrite ? rewrite(readChunks(path)) : readChunks(path);

/**
 * The digest of `path`'s content (through `rewrite`, when given), read in chunks: the files
 * are executables of up to ~130 MB, which must never sit whole in memory. Undefined when
 * `path` does not exist.
 */
export async function digestFile(
  path: string,
  rewrite?: ChunkRewrite,
): Promise<FileDigest | undefined> {
  const hash = createHash('sha256');
  let size = 0;
  try {
    for await (const chunk of contentOf(path, rewrite)) {
      hash.update(chunk);
      size += chunk.length;
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return { size, sha256: hash.digest('hex') };
}

/**
 * Installs `source` as `target` unless `target` already holds the same bytes (size, then a
 * SHA-256 read in chunks). The copy is atomic: written chunk by chunk into a `.<name>.<random>.tmp` file in the
 * target's directory (libcni and the kubelet ignore dot files), fsynced, given its mode,
 * renamed over `target`, and the directory fsynced, so a runtime executing the plugin sees the
 * old file or the new one, never a half-written one.
 */
export async function installFile(options: InstallFileOptions): Promise<InstallFileOutcome> {
  const { source, target, firstLine } = options;
  const mode = options.mode ?? 0o755;
  const rewrite = firstLine === undefined ? undefined : rewriteFirstLine(firstLine, source);
  const wanted = await digestFile(source, rewrite).catch((error: unknown) => {
    throw new InstallFileError(`cannot read ${source}: ${(error as Error).message}`, 'failed', {
      cause: error,
    });
  });
  if (wanted === undefined) {
    throw new InstallFileError(
      `cannot install ${target}: ${source} does not exist`,
      'source-missing',
    );
  }
  const current = await stat(target).catch(() => undefined);
  if (current?.isFile() && current.size === wanted.size && (current.mode & 0o7777) === mode) {
    const installed = await digestFile(target);
    if (installed?.sha256 === wanted.sha256) {
      return { target, action: 'unchanged', digest: wanted };
    }
  }
  await copyAtomic(source, target, mode, rewrite);
  return { target, action: 'copied', digest: wanted };
}

async function copyAtomic(
  source: string,
  target: string,
  mode: number,
  rewrite: ChunkRewrite | undefined,
): Promise<void> {
  const dir = dirname(target);
  const temp = join(dir, `.${basename(target)}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await mkdir(dir, { recursive: true });
    const file = await open(temp, 'wx', mode);
    try {
      for await (const chunk of contentOf(source, rewrite)) {
        // write() may write less than asked (large chunks, some filesystems): loop.
        for (let offset = 0; offset < chunk.length; ) {
          const { bytesWritten } = await file.write(chunk, offset, chunk.length - offset);
          offset += bytesWritten;
        }
      }
      await file.chmod(mode);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temp, target);
    const directory = await open(dir, 'r');
    try {
      await directory.sync();
    } finally {
      await directory.close();
    }
  } catch (error) {
    // The temp file may not exist (ENOTDIR, EACCES): the original error is the one to report.
    await rm(temp, { force: true }).catch(() => {});
    if (error instanceof InstallFileError) throw error;
    throw new InstallFileError(`cannot install ${target}: ${(error as Error).message}`, 'failed', {
      cause: error,
    });
  }
}

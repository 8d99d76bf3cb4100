import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, rmSync } from 'node:fs';
import { join, posix } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { PassThrough, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createZstdDecompress } from 'node:zlib';
import type { LayerCompression } from './oci-manifest.ts';
import type { TarEntry } from './tar-scanner.ts';
import { createTarScanner } from './tar-scanner.ts';

export interface LayerSource {
  /** For messages: `sha256:…`. */
  digest: string;
  diffId: string;
  compression: LayerCompression;
  /** A fresh stream of the compressed blob (the layer is read twice when the tree is not empty). */
  open(): Readable;
}

export class LayerError extends Error {}

const WHITEOUT = '.wh.';
const OPAQUE = '.wh..wh..opq';
// Big chunks: fewer trips through the hash, the tar scanner and the pipe to tar.
const CHUNK = 1 << 16;

function decompressor(compression: LayerCompression) {
  if (compression === 'gzip') return createGunzip({ chunkSize: CHUNK });
  if (compression === 'zstd') return createZstdDecompress({ chunkSize: CHUNK });
  return new PassThrough();
}

/** A pass-through that hashes the uncompressed layer and lists its entries. */
function tap(entries: TarEntry[]) {
  const hash = createHash('sha256');
  const scanner = createTarScanner((entry) => {
    // `./` of a layer made with `tar -C dir .` names the root itself.
    if (entry.name !== '') entries.push(entry);
    return undefined;
  });
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      scanner.write(chunk);
      done(null, chunk);
    },
  });
  const finish = () => {
    scanner.end();
    return `sha256:${hash.digest('hex')}`;
  };
  return { stream, finish };
}

async function scanLayer(layer: LayerSource): Promise<TarEntry[]> {
  const entries: TarEntry[] = [];
  const { stream, finish } = tap(entries);
  await pipeline(layer.open(), decompressor(layer.compression), stream, new PassThrough().resume());
  checkDiffId(layer, finish());
  return entries;
}

function checkDiffId(layer: LayerSource, actual: string): void {
  if (actual !== layer.diffId) {
    throw new LayerError(
      `layer ${layer.digest} unpacks to ${actual}, not the diff_id ${layer.diffId} of the image config`,
    );
  }
}

function lstat(path: string) {
  return lstatSync(path, { throwIfNoEntry: false });
}

/**
 * Entry names stay inside the tree: no absolute names, no `..`, and no parent that is a
 * symlink already in the tree (tar, as root, would follow it out of the snapshot).
 */
function checkNames(tree: string, entries: readonly TarEntry[], layer: LayerSource): void {
  const dirsOfLayer = new Set(entries.filter((e) => e.type === 'dir').map((e) => e.name));
  const checked = new Set<string>();
  for (const { name } of entries) {
    const parts = name.split('/');
    if (name.startsWith('/') || parts.includes('..')) {
      throw new LayerError(`layer ${layer.digest} has entry "${name}" outside the root`);
    }
    for (let i = 1; i < parts.length; i++) {
      const parent = parts.slice(0, i).join('/');
      if (checked.has(parent) || dirsOfLayer.has(parent)) continue;
      checked.add(parent);
      if (lstat(join(tree, parent))?.isSymbolicLink()) {
        throw new LayerError(
          `layer ${layer.digest} has entry "${name}" below "${parent}", a symlink in a lower layer (not supported)`,
        );
      }
    }
  }
}

/**
 * OCI whiteouts act on the layers below only, so they are applied before this layer is
 * extracted: `.wh.<name>` removes <name>; `.wh..wh..opq` empties its directory. An entry that
 * changes a path's kind (directory ↔ anything else) replaces what was there, as containerd does.
 */
function prepareTree(tree: string, entries: readonly TarEntry[]): void {
  for (const entry of entries) {
    const base = posix.basename(entry.name);
    const dir = posix.dirname(entry.name);
    if (base === OPAQUE) {
      const path = join(tree, dir);
      if (lstat(path)?.isDirectory()) {
        for (const child of readdirSync(path))
          rmSync(join(path, child), { recursive: true, force: true });
      }
    } else if (base.startsWith(WHITEOUT)) {
      rmSync(join(tree, dir, base.slice(WHITEOUT.length)), { recursive: true, force: true });
    } else {
      const existing = lstat(join(tree, entry.name));
      if (existing !== undefined && !(existing.isDirectory() && entry.type === 'dir')) {
        rmSync(join(tree, entry.name), { recursive: true, force: true });
      }
    }
  }
}

function tarArgs(tree: string): string[] {
  // Owners and modes as stored (numeric: the image's /etc/passwd is not the host's); whiteout
  // markers are never extracted. Without root, ownership cannot be kept (tests as a user).
  const owner = process.getuid?.() === 0 ? ['--same-owner'] : ['--no-same-owner'];
  return ['-x', '-f', '-', '-C', tree, '--numeric-owner', '-p', ...owner, `--exclude=${WHITEOUT}*`];
}

// Resolves once the pipe takes more, or is gone.
function writable(stdin: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stdin.off('drain', done);
      stdin.off('close', done);
      resolve();
    };
    stdin.on('drain', done);
    stdin.on('close', done);
  });
}

/**
 * Pipes the uncompressed layer into GNU tar. tar stops reading at the end-of-archive blocks,
 * before the stream's padding ends: what is left is still hashed (the diff_id covers it) but
 * no longer written.
 */
async function extract(tree: string, layer: LayerSource, verify: boolean): Promise<void> {
  const child = spawn('tar', tarArgs(tree), { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  let open = true;
  child.stdin.on('error', () => {
    open = false;
  });
  const hash = createHash('sha256');
  const feed = async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) {
      if (verify) hash.update(chunk);
      if (open && !child.stdin.write(chunk)) await writable(child.stdin);
    }
    child.stdin.end();
  };
  try {
    await pipeline(layer.open(), decompressor(layer.compression), feed);
  } catch (error) {
    child.kill('SIGKILL');
    await exited.catch(() => {});
    const why = error instanceof Error ? error.message : String(error);
    throw new LayerError(`cannot unpack layer ${layer.digest}: ${why}`, { cause: error });
  }
  const code = await exited;
  if (code !== 0)
    throw new LayerError(`cannot unpack layer ${layer.digest}: tar: ${stderr.trim()}`);
  if (verify) checkDiffId(layer, `sha256:${hash.digest('hex')}`);
}

/**
 * Applies one layer on top of `tree` (empty for the first layer). The first layer is read
 * once (unpacked and checked at the same time); a later one is listed first, since its
 * whiteouts must act before it is extracted.
 */
export async function applyLayer(tree: string, layer: LayerSource, first: boolean): Promise<void> {
  if (first) {
    await extract(tree, layer, true);
    return;
  }
  const entries = await scanLayer(layer);
  checkNames(tree, entries, layer);
  prepareTree(tree, entries);
  await extract(tree, layer, false);
}

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import type { Readable, Writable } from 'node:stream';
import { PassThrough, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createZstdDecompress } from 'node:zlib';
import type { LayerCompression } from './oci-manifest.ts';
import type { OverlayWhiteouts } from './overlay-whiteouts.ts';
import { WhiteoutError, whiteoutsOf, writeOverlayWhiteouts } from './overlay-whiteouts.ts';
import type { TarEntry } from './tar-scanner.ts';
import { createTarScanner } from './tar-scanner.ts';

export interface LayerSource {
  /** For messages: `sha256:…`. */
  digest: string;
  diffId: string;
  compression: LayerCompression;
  /** A fresh stream of the compressed blob. */
  open(): Readable;
}

export class LayerError extends Error {}

// OCI whiteout markers are never extracted: overlay-whiteouts.ts writes overlayfs's own form.
const WHITEOUT = '.wh.';
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

function checkDiffId(layer: LayerSource, actual: string): void {
  if (actual !== layer.diffId) {
    throw new LayerError(
      `layer ${layer.digest} unpacks to ${actual}, not the diff_id ${layer.diffId} of the image config`,
    );
  }
}

/**
 * Entry names stay inside the tree: no absolute names, no `..`. GNU tar already refuses
 * both (and a member below a symlink of the same archive); the layer is refused too, so an
 * odd layer fails loudly instead of unpacking partly.
 */
function checkNames(entries: readonly TarEntry[], layer: LayerSource): void {
  for (const { name } of entries) {
    if (name.startsWith('/') || name.split('/').includes('..')) {
      throw new LayerError(`layer ${layer.digest} has entry "${name}" outside the root`);
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
async function extract(tree: string, layer: LayerSource): Promise<TarEntry[]> {
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
  const entries: TarEntry[] = [];
  const { stream, finish } = tap(entries);
  const feed = async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) {
      if (open && !child.stdin.write(chunk)) await writable(child.stdin);
    }
    child.stdin.end();
  };
  try {
    await pipeline(layer.open(), decompressor(layer.compression), stream, feed);
  } catch (error) {
    child.kill('SIGKILL');
    await exited.catch(() => {});
    const why = error instanceof Error ? error.message : String(error);
    throw new LayerError(`cannot unpack layer ${layer.digest}: ${why}`, { cause: error });
  }
  const code = await exited;
  if (code !== 0)
    throw new LayerError(`cannot unpack layer ${layer.digest}: tar: ${stderr.trim()}`);
  checkDiffId(layer, finish());
  return entries;
}

/**
 * Unpacks one layer into `tree`, an empty directory of its own (its snapshot: overlay stacks
 * the layers, nothing of a lower layer is read or changed). One pass: the uncompressed stream
 * is hashed against the diff_id and listed while GNU tar extracts it; then its whiteouts are
 * written in overlayfs's form (and returned). A layer that fails leaves a tree the caller throws
 * away.
 */
export async function unpackLayer(tree: string, layer: LayerSource): Promise<OverlayWhiteouts> {
  const entries = await extract(tree, layer);
  checkNames(entries, layer);
  const whiteouts = whiteoutsOf(entries.map((e) => e.name));
  try {
    await writeOverlayWhiteouts(tree, whiteouts, layer.digest);
    return whiteouts;
  } catch (error) {
    if (error instanceof WhiteoutError) throw new LayerError(error.message, { cause: error });
    throw error;
  }
}

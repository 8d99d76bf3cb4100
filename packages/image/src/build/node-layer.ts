// Layer 2: Node alone, at /usr/local/bin/node. It is most of the image (127 MB of 192) and
// changes only when the pinned Node does, so it is a layer of its own: an update of Loom's code
// leaves it as it was (a pull skips it, a node's runtime keeps it unpacked), and its gzip'd
// blob, 3 s of compression, is made once and cached outside the repository, keyed by the
// binary's sha256 and the layer's recipe.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LAYER_GZIP_LEVEL, type LayerBlob, writeLayerFromEntries } from '../oci/layer.ts';
import { IMAGE_NODE } from './bundles.ts';
import { cachedLayer } from './layer-cache.ts';
import { imageCacheDir } from './rootfs.ts';

export interface NodeLayerRequest {
  /** The Node binary to ship (the pinned node@24's). */
  node: string;
  /** `<loom cache>/image` unless given. */
  cacheDir?: string;
  onProgress?: (line: string) => void;
}

export interface NodeLayer extends LayerBlob {
  /** The shipped Node's version: `v24.21.0`. */
  nodeVersion: string;
  /** sha256 (hex) of the binary. */
  nodeSha256: string;
  /** Whether the blob was made now (false: taken from the cache). */
  built: boolean;
}

/** The Node major the bundles are built for (esbuild target node24, engines in package.json). */
const NODE_MAJOR = 24;

/**
 * Every entry's mtime: a fixed time, not SOURCE_DATE_EPOCH. With the commit's time in it the
 * layer would change with every commit of Loom's code, and every update would download Node
 * again.
 */
export const NODE_LAYER_MTIME = 0;

const LAYER_FILE = 'node.tar.gz';

export async function nodeLayer(request: NodeLayerRequest): Promise<NodeLayer> {
  if (!existsSync(request.node))
    throw new Error(
      `cannot build the Node layer: no Node binary at ${request.node} (run npm install: the node package pins Node 24)`,
    );
  const nodeSha256 = await fileSha256(request.node);
  const dir = join(request.cacheDir ?? imageCacheDir(), nodeLayerCacheKey(nodeSha256));
  const { layer, built } = await cachedLayer(dir, LAYER_FILE, async (partial) => {
    const nodeVersion = shippedNodeVersion(request.node);
    request.onProgress?.(`compressing Node ${nodeVersion} into its layer (cached after this)`);
    const blob = await writeLayerFromEntries(
      [{ type: 'file', path: IMAGE_NODE.slice(1), mode: 0o755, source: request.node }],
      { mtime: NODE_LAYER_MTIME },
      partial,
    );
    return { ...blob, nodeVersion, nodeSha256 };
  });
  return { ...layer, built };
}

/**
 * `node-<sha256 of the binary, 16 hex>-<recipe, 12 hex>`. The recipe is what else decides the
 * blob's bytes: the path, mode and mtime, the gzip level, the zlib compressing it, and the tar
 * writer's own source, so a change to any of them makes a new blob rather than reusing one
 * a cold build would no longer make.
 */
export function nodeLayerCacheKey(nodeSha256: string): string {
  const recipe = createHash('sha256')
    .update(
      JSON.stringify([
        IMAGE_NODE,
        0o755,
        NODE_LAYER_MTIME,
        LAYER_GZIP_LEVEL,
        process.versions.zlib,
      ]),
    )
    .update(tarWriterSource());
  return `node-${nodeSha256.slice(0, 16)}-${recipe.digest('hex').slice(0, 12)}`;
}

/** The tar writer's modules, as this process runs them (.ts from source, .js from dist). */
function tarWriterSource(): Buffer {
  const ext = extname(import.meta.url);
  return Buffer.concat(
    ['tar-writer', 'tar-format', 'layer'].map((name) =>
      readFileSync(fileURLToPath(new URL(`../oci/${name}${ext}`, import.meta.url))),
    ),
  );
}

async function fileSha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }))
    hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Runs the binary to ask its version; refuses anything but Node 24. */
function shippedNodeVersion(node: string): string {
  const run = spawnSync(node, ['--version'], { encoding: 'utf8', env: {} });
  const version = run.stdout?.trim() ?? '';
  if (run.status !== 0 || !version.startsWith(`v${NODE_MAJOR}.`))
    throw new Error(
      `cannot build the Node layer: ${node} is not Node ${NODE_MAJOR} (${version || run.stderr?.trim() || run.error?.message})`,
    );
  return version;
}

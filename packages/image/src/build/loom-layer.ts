// Layer 2: Node at /usr/local/bin/node and every bundle at /opt/loom/bin/<bin>, written by
// this package's tar writer (fixed mtime and owner, sorted), so the same sources give the
// same layer digest.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type LayerBlob, writeLayerFromEntries } from '../oci/layer.ts';
import type { TarEntry } from '../oci/tar-writer.ts';
import { bundleEntrypoint, type Entrypoint, IMAGE_BIN_DIR, IMAGE_NODE } from './bundles.ts';

export interface LoomLayerInput {
  entrypoints: readonly Entrypoint[];
  /** The Node binary to ship (the pinned node@24's). */
  node: string;
  /** Seconds since the epoch: every entry's mtime. */
  mtime: number;
  /** Scratch directory for the bundles and the blob. */
  workDir: string;
}

export interface LoomLayer extends LayerBlob {
  /** The shipped Node's version: `v24.21.0`. */
  nodeVersion: string;
  bundles: Array<{ name: string; path: string; bytes: number }>;
}

/** The Node major the bundles are built for (esbuild target node24, engines in package.json). */
const NODE_MAJOR = 24;

export async function buildLoomLayer(input: LoomLayerInput): Promise<LoomLayer> {
  if (!existsSync(input.node))
    throw new Error(
      `cannot build the Loom layer: no Node binary at ${input.node} (run npm install: the node package pins Node 24)`,
    );
  const nodeVersion = shippedNodeVersion(input.node);
  const bundles = [];
  for (const entrypoint of input.entrypoints) {
    const file = join(input.workDir, 'bin', entrypoint.name);
    const bytes = await bundleEntrypoint(entrypoint.entry, file, entrypoint.format);
    bundles.push({
      name: entrypoint.name,
      path: `${IMAGE_BIN_DIR}/${entrypoint.name}`,
      bytes,
      file,
    });
  }
  const entries: TarEntry[] = [
    { type: 'file', path: IMAGE_NODE.slice(1), mode: 0o755, source: input.node },
    ...bundles.map(
      (bundle): TarEntry => ({
        type: 'file',
        path: bundle.path.slice(1),
        mode: 0o755,
        source: bundle.file,
      }),
    ),
  ];
  const layer = await writeLayerFromEntries(
    entries,
    { mtime: input.mtime },
    join(input.workDir, 'loom-layer.tar.gz'),
  );
  return {
    ...layer,
    nodeVersion,
    bundles: bundles.map(({ name, path, bytes }) => ({ name, path, bytes })),
  };
}

/** Runs the binary to ask its version; refuses anything but Node 24. */
function shippedNodeVersion(node: string): string {
  const run = spawnSync(node, ['--version'], { encoding: 'utf8', env: {} });
  const version = run.stdout?.trim() ?? '';
  if (run.status !== 0 || !version.startsWith(`v${NODE_MAJOR}.`))
    throw new Error(
      `cannot build the Loom layer: ${node} is not Node ${NODE_MAJOR} (${version || run.stderr?.trim() || run.error?.message})`,
    );
  return version;
}

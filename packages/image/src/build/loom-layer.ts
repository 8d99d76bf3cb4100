// Layer 2: Node at /usr/local/bin/node and every bundle at /opt/loom/bin/<bin>, written by
// this package's tar writer (fixed mtime and owner, sorted), so the same sources give the
// same layer digest.
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
  bundles: Array<{ name: string; path: string; bytes: number }>;
}

export async function buildLoomLayer(input: LoomLayerInput): Promise<LoomLayer> {
  if (!existsSync(input.node))
    throw new Error(
      `cannot build the Loom layer: no Node binary at ${input.node} (run npm install: the node package pins Node 24)`,
    );
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
  return { ...layer, bundles: bundles.map(({ name, path, bytes }) => ({ name, path, bytes })) };
}

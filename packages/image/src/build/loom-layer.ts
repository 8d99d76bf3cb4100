// Layer 3: every bundle at /opt/loom/bin/<bin> and nothing else, so an update of Loom's code
// is this layer alone (~0.4 MB compressed). Written by this package's tar writer (fixed mtime
// and owner, sorted), so the same sources give the same layer digest.
import { join } from 'node:path';
import { type LayerBlob, writeLayerFromEntries } from '../oci/layer.ts';
import type { TarEntry } from '../oci/tar-writer.ts';
import { bundleEntrypoint, type Entrypoint, IMAGE_BIN_DIR } from './bundles.ts';

export interface LoomLayerInput {
  entrypoints: readonly Entrypoint[];
  /** Seconds since the epoch: every entry's mtime. */
  mtime: number;
  /** Scratch directory for the bundles and the blob. */
  workDir: string;
}

export interface LoomLayer extends LayerBlob {
  bundles: Array<{ name: string; path: string; bytes: number }>;
}

export async function buildLoomLayer(input: LoomLayerInput): Promise<LoomLayer> {
  // esbuild runs its builds on threads of its own: all at once is ~25% faster than in turn.
  const bundles = await Promise.all(
    input.entrypoints.map(async (entrypoint) => {
      const file = join(input.workDir, 'bin', entrypoint.name);
      const bytes = await bundleEntrypoint(entrypoint.entry, file, entrypoint.format);
      return { name: entrypoint.name, path: `${IMAGE_BIN_DIR}/${entrypoint.name}`, bytes, file };
    }),
  );
  const entries = bundles.map(
    (bundle): TarEntry => ({
      type: 'file',
      path: bundle.path.slice(1),
      mode: 0o755,
      source: bundle.file,
    }),
  );
  const layer = await writeLayerFromEntries(
    entries,
    { mtime: input.mtime },
    join(input.workDir, 'loom-layer.tar.gz'),
  );
  return { ...layer, bundles: bundles.map(({ name, path, bytes }) => ({ name, path, bytes })) };
}

// Layer blobs kept outside the repository between builds (the root filesystem, Node): each in
// a directory of its own named by everything that decides its bytes, the blob beside a
// layer.json holding its digests, so a warm build copies the blob instead of making it again.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@loom-net/core/daemon';
import type { LayerBlob } from '../oci/layer.ts';

const LAYER_META = 'layer.json';

/** A cached layer and what else its maker recorded (the Node version, say). */
export type CachedLayer<Extra> = LayerBlob & Extra;

/**
 * The layer cached in `dir`, or undefined. A blob cut short (disk full, a killed copy) is not
 * a cached layer: it is made again, not shipped.
 */
export function readCachedLayer<Extra = object>(dir: string): CachedLayer<Extra> | undefined {
  const meta = join(dir, LAYER_META);
  if (!existsSync(meta)) return undefined;
  const layer = JSON.parse(readFileSync(meta, 'utf8')) as CachedLayer<Extra>;
  if (!existsSync(layer.file) || statSync(layer.file).size !== layer.size) return undefined;
  return layer;
}

/**
 * The layer cached in `dir`, made by `make` first when there is none. `make` writes the blob
 * to the file it is given, a name of this process's own (two builds at once, turbo and a
 * test, must not share one), renamed to `fileName` once whole; layer.json is written last, so
 * a build killed half-way leaves nothing that looks cached.
 */
export async function cachedLayer<Extra>(
  dir: string,
  fileName: string,
  make: (partial: string) => Promise<LayerBlob & Extra>,
): Promise<{ layer: CachedLayer<Extra>; built: boolean }> {
  const cached = readCachedLayer<Extra>(dir);
  if (cached) return { layer: cached, built: false };
  await mkdir(dir, { recursive: true });
  const partial = join(dir, `${fileName}.${process.pid}.partial`);
  try {
    const made = await make(partial);
    const file = join(dir, fileName);
    await rename(partial, file);
    const layer = { ...made, file };
    await writeFileAtomic(join(dir, LAYER_META), `${JSON.stringify(layer, null, 2)}\n`);
    return { layer, built: true };
  } finally {
    await rm(partial, { force: true });
  }
}

import type { Logger } from '@loom-net/core';
import type { ArchiveImage } from './oci-archive.ts';
import { openLayer, readImageArchive } from './oci-archive.ts';
import type { SnapshotStore } from './snapshot-store.ts';

export interface ImportedImage {
  image: ArchiveImage;
  /** Its layers' unpacked trees, bottom first. */
  layers: string[];
}

/**
 * Loads one image archive: checks it (every blob against its digest), then makes sure each
 * image's layers are unpacked in the snapshot store (unpacking only those not there).
 */
export async function importArchive(
  path: string,
  snapshots: SnapshotStore,
  logger: Logger,
): Promise<ImportedImage[]> {
  const started = Date.now();
  const images = await readImageArchive(path);
  const checkedMs = Date.now() - started;
  const imported: ImportedImage[] = [];
  for (const image of images) {
    const begin = Date.now();
    const layers = image.layers.map((layer) => ({ ...layer, open: () => openLayer(image, layer) }));
    const { paths, unpacked } = await snapshots.ensure(layers);
    logger.info(
      {
        archive: path,
        image: image.id,
        names: image.names,
        chainId: image.chainId,
        layers: layers.length,
        unpacked,
        checkMs: checkedMs,
        unpackMs: unpacked.length > 0 ? Date.now() - begin : 0,
      },
      unpacked.length > 0
        ? `image archive loaded, ${unpacked.length} of ${layers.length} layers unpacked`
        : 'image archive loaded, every layer reused',
    );
    imported.push({ image, layers: paths });
  }
  return imported;
}

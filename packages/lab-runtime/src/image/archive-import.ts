import type { Logger } from '@loom-net/core';
import type { ArchiveImage } from './oci-archive.ts';
import { openLayer, readImageArchive } from './oci-archive.ts';
import type { SnapshotStore } from './snapshot-store.ts';

export interface ImportedImage {
  image: ArchiveImage;
  /** The unpacked tree of its layers. */
  snapshot: string;
}

/**
 * Loads one image archive: checks it (every blob against its digest), then makes sure each
 * image's layer stack is unpacked in the snapshot store (unpacking only what is not there).
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
    const { path: snapshot, unpacked } = await snapshots.ensure(image.chainId, layers);
    logger.info(
      {
        archive: path,
        image: image.id,
        names: image.names,
        chainId: image.chainId,
        unpacked,
        checkMs: checkedMs,
        unpackMs: unpacked ? Date.now() - begin : 0,
      },
      unpacked ? 'image archive loaded, layers unpacked' : 'image archive loaded, snapshot reused',
    );
    imported.push({ image, snapshot });
  }
  return imported;
}

import { ensureImage, type ImageDescription } from '@loom-net/image/build';
import type { LabConfig } from '../config/lab-config.ts';
import { LabError } from '../errors.ts';
import type { NodeImage } from '../nodes/node-processes.ts';
import { loomCheckout } from './checkout.ts';
import { pruneImageStore } from './image-store-prune.ts';

/** Loom's image as the lab serves it to its nodes. */
export interface EnsuredImage {
  description: ImageDescription;
  /** The archive and the store every node's runtime unpacks it into, once. */
  nodeImage: NodeImage;
  /** `reference@digest`, as installed. */
  pinned: string;
}

/**
 * Loom's image, built from this checkout as `npm run image` builds it (the Debian root and
 * Node from the layer cache, the bundles from the sources; an archive that already is that
 * image is left alone), so the lab runs exactly what users get.
 */
export async function ensureLabImage(
  config: LabConfig,
  progress: (line: string) => void,
): Promise<EnsuredImage> {
  const repoRoot = loomCheckout();
  if (repoRoot === undefined) {
    throw new LabError(
      'LOOM_LAB_IMAGE',
      "cannot build Loom's image: the lab runs Loom from the image a Loom checkout builds (npm run image), and this lab package is not inside one",
    );
  }
  let description: ImageDescription;
  try {
    description = await ensureImage({ repoRoot, onProgress: (line) => progress(`image: ${line}`) });
  } catch (error) {
    throw new LabError('LOOM_LAB_IMAGE', `cannot build Loom's image: ${(error as Error).message}`, {
      cause: error,
    });
  }
  pruneStore(config.paths.imageStoreDir, progress);
  return {
    description,
    nodeImage: { archive: description.archive, storeDir: config.paths.imageStoreDir },
    pinned: `${description.reference}@${description.digest}`,
  };
}

/** Every code change adds a small Loom layer to the shared store: old unused ones go. */
function pruneStore(dir: string, progress: (line: string) => void): void {
  try {
    const { removed } = pruneImageStore({ dir });
    if (removed.length > 0) progress(`image store: removed ${removed.length} unused layer(s)`);
  } catch (error) {
    // A full store costs disk, not correctness: the lab comes up anyway.
    progress(`warning: cannot prune the image store ${dir}: ${(error as Error).message}`);
  }
}

// What `loom lab up` calls before every start: the image as the working tree would build it,
// as cheaply as possible. The root filesystem and Node come from the layer cache (no mirror
// request while a root filesystem is cached), the bundles are built (esbuild, ~1 s: their
// content is the input that changes), and an archive that already is that image (same manifest
// digest) is left alone rather than written again.
import {
  buildImage,
  type ImageBuild,
  type ImageBuildOptions,
  type ImageDescription,
} from './build-image.ts';
import type { RootfsPolicy } from './rootfs-policy.ts';

export interface EnsureImageOptions extends Omit<ImageBuildOptions, 'rootfs' | 'reuseArchive'> {
  /**
   * Default `cached`: the newest cached root filesystem, the mirror asked only when there is
   * none. `latest` asks the mirror (a new Debian Release then runs mmdebstrap, ~30 s);
   * `offline` never asks.
   */
  rootfs?: RootfsPolicy;
}

/** dist/image/loom.oci.tar up to date with the sources, and its description. */
export async function ensureImage(options: EnsureImageOptions): Promise<ImageDescription> {
  return (await ensureImageBuild(options)).description;
}

/** {@link ensureImage} with what it did: which layers came from the cache, whether it wrote. */
export function ensureImageBuild(options: EnsureImageOptions): Promise<ImageBuild> {
  return buildImage({ ...options, rootfs: options.rootfs ?? 'cached', reuseArchive: true });
}

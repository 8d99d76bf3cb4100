export {
  aptMirror,
  DEFAULT_MIRROR,
  mirrorInSources,
  parseReleaseDate,
  releaseDate,
} from './apt-mirror.ts';
export {
  buildImage,
  type ImageBuild,
  type ImageBuildOptions,
  type ImageDescription,
  imageEntrypoints,
} from './build-image.ts';
export {
  type BundleFormat,
  bundleEntrypoint,
  type Entrypoint,
  IMAGE_BIN_DIR,
  IMAGE_NODE,
  IMAGE_PACKAGES,
  packageEntrypoints,
} from './bundles.ts';
export { type EnsureImageOptions, ensureImage, ensureImageBuild } from './ensure-image.ts';
export { IMAGE_DEFAULTS, IMAGE_REPOSITORY, imageReference } from './image-defaults.ts';
export { type CachedLayer, cachedLayer, readCachedLayer } from './layer-cache.ts';
export { buildLoomLayer, type LoomLayer, type LoomLayerInput } from './loom-layer.ts';
export {
  NODE_LAYER_MTIME,
  type NodeLayer,
  type NodeLayerRequest,
  nodeLayer,
  nodeLayerCacheKey,
} from './node-layer.ts';
export {
  imageCacheDir,
  MMDEBSTRAP_OPTIONS,
  mmdebstrapCommand,
  newestCachedRootfs,
  ROOTFS_PACKAGES,
  ROOTFS_SUITE,
  type RootfsLayer,
  type RootfsRequest,
  rootfsCacheKey,
  rootfsLayer,
} from './rootfs.ts';
export {
  chooseRootfs,
  ROOTFS_POLICIES,
  type RootfsChoice,
  type RootfsPolicy,
} from './rootfs-policy.ts';
export { sourceDateEpoch } from './source-date.ts';

// Media types and annotation keys of the OCI image spec (image-spec v1.1, media-types.md,
// annotations.md) and the one containerd reads to name an imported image.

export const MEDIA_TYPE = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
} as const;

export const ANNOTATION = {
  /** The tag part of the reference, in index.json (image-spec image-layout.md). */
  refName: 'org.opencontainers.image.ref.name',
  /** The full reference; `ctr images import` names the image after it. */
  containerdImageName: 'io.containerd.image.name',
  created: 'org.opencontainers.image.created',
  version: 'org.opencontainers.image.version',
} as const;

/** The content of the `oci-layout` file. */
export const OCI_LAYOUT_VERSION = '1.0.0';

export {
  type ArchiveBlob,
  type OciArchiveContents,
  openBlob,
  readOciArchive,
  verifyBlob,
} from './archive-reader.ts';
export {
  type ArchiveLayer,
  layOutOciArchive,
  type OciArchive,
  type OciArchiveInput,
  type OciArchiveLayout,
  writeOciArchive,
  writeOciArchiveLayout,
} from './archive-writer.ts';
export {
  type Digest,
  type DigestingStream,
  digestHex,
  digestingStream,
  jsonBlob,
  sha256Digest,
} from './digest.ts';
export {
  buildImageConfig,
  type ContainerDefaults,
  type HistoryEntry,
  type ImageConfig,
  type ImageConfigInput,
  rfc3339,
} from './image-config.ts';
export {
  LAYER_GZIP_LEVEL,
  type LayerBlob,
  writeGzipLayer,
  writeLayerFromEntries,
  writeLayerFromTarFile,
} from './layer.ts';
export {
  blobPath,
  buildDockerManifest,
  buildIndex,
  buildManifest,
  type Descriptor,
  type DockerManifestEntry,
  type ImageIndex,
  type ImageManifest,
  referenceTag,
} from './manifest.ts';
export { ANNOTATION, MEDIA_TYPE, OCI_LAYOUT_VERSION } from './media-types.ts';
export { ociArchitecture } from './platform.ts';
export { readTarMembers, type TarMember } from './tar-reader.ts';
export {
  normaliseEntries,
  paxRecord,
  type TarDirectory,
  type TarEntry,
  type TarFile,
  type TarOptions,
  type TarSymlink,
  tarStream,
} from './tar-writer.ts';

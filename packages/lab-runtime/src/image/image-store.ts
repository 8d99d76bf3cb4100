import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '@loom-net/core';
import { writeFileAtomicSync } from '@loom-net/core';
import { CriError } from '../cri/cri-error.ts';
import type { ImportedImage } from './archive-import.ts';
import { importArchive } from './archive-import.ts';
import type { ImageDefinition, ImageMap } from './image-map.ts';
import { describeImageMap, findImageDefinition, imageIdOf } from './image-map.ts';
import type { ImageProcess } from './image-process.ts';
import { imageProcessOf } from './image-process.ts';
import type { ImageReference } from './image-reference.ts';
import { formatImageReference, isImageId, parseImageReference } from './image-reference.ts';
import { prepareMapImage } from './map-image-setup.ts';
import type { SnapshotStore } from './snapshot-store.ts';
import { createSnapshotStore, defaultSnapshotDir } from './snapshot-store.ts';

/** What the store keeps of an archive image: enough to run it without reading the archive. */
export interface ArchiveImageRecord {
  path: string;
  manifestDigest: string;
  chainId: string;
  /** Bytes of its layers as stored. */
  size: number;
  process: ImageProcess;
  layers: { digest: string; diffId: string; size: number }[];
}

/** A pulled image: which definition or archive, under which names (`docker.io/library/busybox:1.36`). */
export interface ImageRecord {
  id: string;
  /** The map definition's name; '' for an archive image. */
  definition: string;
  tags: string[];
  archive?: ArchiveImageRecord;
}

interface ResolvedBase {
  record: ImageRecord;
  process: ImageProcess;
  /** `repository@sha256:…` for each repository of its tags. */
  repoDigests: string[];
}

/** A map image: a tmpfs root of binds; `dir` holds its prepared files (busybox's /bin, /etc/passwd). */
export interface MapImage extends ResolvedBase {
  kind: 'map';
  definition: ImageDefinition;
  dir: string;
}

/** An archive image: its root is an overlay of its unpacked layers. */
export interface ArchiveImage extends ResolvedBase {
  kind: 'archive';
  archive: ArchiveImageRecord;
  /** Its layers' trees, top first (overlayfs's lowerdir order). */
  lowerDirs: string[];
}

export type ResolvedImage = MapImage | ArchiveImage;

export interface ImageStore {
  readonly map: ImageMap;
  readonly snapshots: SnapshotStore;
  list(): ResolvedImage[];
  /** By id (`sha256:…`, or a unique prefix of its hex) or by name; undefined when not pulled. */
  find(nameOrId: string): ResolvedImage | undefined;
  /** A name of an image archive (re-read, unpacked if needed) or of the map. */
  pull(name: string): Promise<ResolvedImage>;
  /** Loads every `--image-archive`; one that fails is logged and reported by pull, not fatal. */
  importArchives(): Promise<void>;
  /** Forgets the image; returns its record (the caller removes its layers no one else uses). */
  remove(nameOrId: string): ImageRecord | undefined;
  /** Bytes of the image (> 0: the kubelet rejects size 0). */
  sizeOf(image: ResolvedImage): number;
}

function fileSize(path: string): number {
  try {
    const stats = statSync(path);
    return stats.isFile() ? stats.size : 0;
  } catch {
    return 0;
  }
}

function missingSources(definition: ImageDefinition): string[] {
  const sources = [...definition.binds.map((b) => b.source), definition.busybox ?? ''];
  return sources.filter((source) => source !== '' && !existsSync(source));
}

function repositoriesOf(tags: readonly string[]): string[] {
  return [...new Set(tags.map((tag) => tag.replace(/[:@].*$/, '')))];
}

function archiveRecord(imported: ImportedImage): ImageRecord {
  const { image } = imported;
  return {
    id: image.id,
    definition: '',
    tags: [...image.names],
    archive: {
      path: image.archive,
      manifestDigest: image.manifestDigest,
      chainId: image.chainId,
      size: image.size,
      process: imageProcessOf(image.config.process),
      layers: image.layers.map(({ digest, diffId, size }) => ({ digest, diffId, size })),
    },
  };
}

export interface ImageSources {
  map: ImageMap;
  archives: readonly string[];
  /** A layer store shared with other runtimes, instead of the state dir's own. */
  sharedStore?: string;
}

export function createImageStore(
  stateDir: string,
  sources: ImageSources,
  logger: Logger,
): ImageStore {
  const { map, archives, sharedStore } = sources;
  const file = join(stateDir, 'images.json');
  const snapshots = createSnapshotStore({
    dir: sharedStore ?? defaultSnapshotDir(stateDir),
    shared: sharedStore !== undefined,
  });
  const byDefinition = new Map(map.definitions.map((d) => [imageIdOf(d), d]));
  // An archive image whose layers are gone (pruned) is not there: the kubelet pulls it again.
  const present = (record: ImageRecord) =>
    record.archive === undefined
      ? byDefinition.has(record.id)
      : record.archive.layers.every((layer) => snapshots.has(layer.diffId));
  const records = loadRecords(file).filter(present);
  /** Per archive: the names it carried when last read, or why it could not be read. */
  const catalog = new Map<string, { names: string[]; error?: string }>();
  const dirOf = (id: string) => join(stateDir, 'images', id.slice('sha256:'.length));
  const resolve = (record: ImageRecord): ResolvedImage => {
    if (record.archive !== undefined) {
      return {
        kind: 'archive',
        record,
        process: record.archive.process,
        repoDigests: repositoriesOf(record.tags).map(
          (r) => `${r}@${record.archive!.manifestDigest}`,
        ),
        archive: record.archive,
        lowerDirs: record.archive.layers.map((layer) => snapshots.pathOf(layer.diffId)).reverse(),
      };
    }
    const definition = byDefinition.get(record.id)!;
    return {
      kind: 'map',
      record,
      process: definition,
      repoDigests: repositoriesOf(record.tags).map((r) => `${r}@${record.id}`),
      definition,
      dir: dirOf(record.id),
    };
  };
  const save = () => writeFileAtomicSync(file, `${JSON.stringify({ images: records }, null, 2)}\n`);

  // A name moves to the image that was pulled under it last, as a tag does in containerd.
  const upsert = (record: ImageRecord, tags: readonly string[]): ImageRecord => {
    for (const other of records) other.tags = other.tags.filter((t) => !tags.includes(t));
    let existing = records.find((r) => r.id === record.id);
    if (existing === undefined) {
      existing = { ...record, tags: [] };
      records.push(existing);
    } else if (record.archive !== undefined) {
      existing.archive = record.archive;
    }
    existing.tags.push(...tags.filter((t) => !existing.tags.includes(t)));
    return existing;
  };

  const load = async (path: string): Promise<ImageRecord[]> => {
    try {
      const imported = await importArchive(path, snapshots, logger);
      catalog.set(path, { names: imported.flatMap((i) => i.image.names) });
      const loaded = imported.map((i) => archiveRecord(i)).map((r) => upsert(r, r.tags));
      save();
      return loaded;
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      catalog.set(path, { names: catalog.get(path)?.names ?? [], error: why });
      logger.error({ err: error, archive: path }, 'cannot load image archive');
      throw error;
    }
  };

  const importArchives = async () => {
    for (const path of archives) await load(path).catch(() => {});
  };

  const find = (nameOrId: string): ResolvedImage | undefined => {
    const record = findRecord(records, nameOrId);
    return record === undefined || !present(record) ? undefined : resolve(record);
  };

  const pullFromArchive = async (ref: ImageReference): Promise<ResolvedImage | undefined> => {
    const wanted = formatImageReference(ref);
    // By digest (`name:tag@sha256:…`, as manifests pin images), any archive holding the
    // repository may carry it: it is read again, as it may have been rebuilt since.
    const carries = (names: readonly string[]) =>
      names.includes(wanted) ||
      (ref.digest !== undefined &&
        names.some((name) => parseImageReference(name).repository === ref.repository));
    const carrying = archives.filter((path) => carries(catalog.get(path)?.names ?? []));
    // Archives that could not be read may carry it: they may have been fixed since.
    const unknown = archives.filter((path) => catalog.get(path)?.error !== undefined);
    for (const path of [...carrying, ...unknown]) {
      let loaded: ImageRecord[];
      try {
        loaded = await load(path);
      } catch (error) {
        if (!carrying.includes(path)) continue;
        throw new CriError(
          'FAILED_PRECONDITION',
          `cannot pull image "${wanted}": ${(error as Error).message}`,
          { cause: error },
        );
      }
      const record = loaded.find((r) => r.tags.includes(wanted) || matchesDigest(r, ref));
      if (record !== undefined) return resolve(record);
    }
    return undefined;
  };

  const pullFromMap = (name: string, ref: ImageReference): ResolvedImage => {
    const definition = findImageDefinition(map, ref.repository);
    if (definition === undefined) throw notFound(name, map, catalog);
    const missing = missingSources(definition);
    if (missing.length > 0) {
      throw new CriError(
        'FAILED_PRECONDITION',
        `cannot pull image "${name}": ${missing.join(', ')} of image ${definition.name} does not exist (${map.source})`,
      );
    }
    const id = imageIdOf(definition);
    prepareMapImage(dirOf(id), definition);
    const record = upsert({ id, definition: definition.name, tags: [] }, [
      formatImageReference(ref),
    ]);
    save();
    return resolve(record);
  };

  const pull = async (name: string): Promise<ResolvedImage> => {
    const ref = parseImageReference(name);
    return (await pullFromArchive(ref)) ?? pullFromMap(name, ref);
  };

  const remove = (nameOrId: string): ImageRecord | undefined => {
    const record = findRecord(records, nameOrId);
    if (record === undefined) return undefined;
    records.splice(records.indexOf(record), 1);
    save();
    return record;
  };

  const sizeOf = (image: ResolvedImage): number => {
    if (image.kind === 'archive') return Math.max(1, image.archive.size);
    const { definition } = image;
    const files = [...definition.binds.map((b) => b.source), definition.busybox ?? ''];
    return Math.max(
      1,
      files.reduce((sum, path) => sum + (path === '' ? 0 : fileSize(path)), 0),
    );
  };

  return {
    map,
    snapshots,
    list: () => records.filter(present).map(resolve),
    find,
    pull,
    importArchives,
    remove,
    sizeOf,
  };
}

function matchesDigest(record: ImageRecord, ref: ImageReference): boolean {
  return ref.digest !== undefined && record.archive?.manifestDigest === ref.digest;
}

function notFound(
  name: string,
  map: ImageMap,
  catalog: Map<string, { names: string[]; error?: string }>,
): CriError {
  const archives = [...catalog].map(([path, { names, error }]) =>
    error === undefined
      ? `${path} (${names.join(', ') || 'no names'})`
      : `${path} (unreadable: ${error})`,
  );
  const fromArchives = archives.length === 0 ? '' : `; the image archives: ${archives.join('; ')}`;
  return new CriError(
    'NOT_FOUND',
    `cannot pull image "${name}": the lab runtime runs only the images in its image map and ` +
      `image archives, and this one is in neither (${describeImageMap(map)}${fromArchives}); ` +
      'add it with --image-map or --image-archive',
  );
}

function findRecord(records: ImageRecord[], nameOrId: string): ImageRecord | undefined {
  if (isImageId(nameOrId)) return records.find((r) => r.id === nameOrId);
  const hex = nameOrId.startsWith('sha256:') ? nameOrId.slice(7) : nameOrId;
  if (/^[0-9a-f]{12,64}$/.test(hex)) {
    const matches = records.filter((r) => r.id.slice(7).startsWith(hex));
    if (matches.length === 1) return matches[0];
  }
  let ref: ImageReference;
  try {
    ref = parseImageReference(nameOrId);
  } catch {
    return undefined;
  }
  const wanted = formatImageReference(ref);
  return records.find((r) => r.tags.includes(wanted) || matchesDigest(r, ref));
}

function loadRecords(file: string): ImageRecord[] {
  if (!existsSync(file)) return [];
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { images?: ImageRecord[] };
  return parsed.images ?? [];
}

import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicSync } from '@loom-net/core';
import { CriError } from '../cri/cri-error.ts';
import type { ImageDefinition, ImageMap } from './image-map.ts';
import { describeImageMap, findImageDefinition, imageIdOf } from './image-map.ts';
import type { ImageReference } from './image-reference.ts';
import { formatImageReference, isImageId, parseImageReference } from './image-reference.ts';

/** A pulled image: which definition, under which names (`docker.io/library/busybox:1.36`). */
export interface ImageRecord {
  id: string;
  definition: string;
  tags: string[];
}

export interface ResolvedImage {
  record: ImageRecord;
  definition: ImageDefinition;
  /** Prepared files of this image (busybox's /bin, /etc/passwd) under the state dir. */
  dir: string;
}

export interface ImageStore {
  readonly map: ImageMap;
  list(): ResolvedImage[];
  /** By id (`sha256:…`, or a unique prefix of its hex) or by name; undefined when not pulled. */
  find(nameOrId: string): ResolvedImage | undefined;
  pull(name: string): ResolvedImage;
  remove(nameOrId: string): void;
  /** Bytes of the image's own files (> 0: the kubelet rejects size 0). */
  sizeOf(image: ResolvedImage): number;
}

const PASSWD = 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n';
const GROUP = 'root:x:0:\nnobody:x:65534:\n';

function prepare(dir: string, definition: ImageDefinition): void {
  if (existsSync(join(dir, '.prepared'))) return;
  mkdirSync(join(dir, 'etc'), { recursive: true });
  writeFileAtomicSync(join(dir, 'etc', 'passwd'), PASSWD);
  writeFileAtomicSync(join(dir, 'etc', 'group'), GROUP);
  if (definition.busybox !== undefined) prepareBusybox(join(dir, 'bin'), definition.busybox);
  writeFileAtomicSync(join(dir, '.prepared'), `${definition.name}\n`);
}

// Debian's busybox-static is built without pgrep, which the busybox image has (and critest
// uses): match /proc/<pid>/comm, or the command line with -f, against an extended regex.
const PGREP = `#!/bin/sh
full=
[ "$1" = -f ] && { full=1; shift; }
found=1
for d in /proc/[0-9]*; do
  pid=\${d#/proc/}
  [ "$pid" = "$$" ] && continue
  read -r _ _ _ ppid _ <"$d/stat" 2>/dev/null || continue
  [ "$ppid" = "$$" ] && continue
  if [ -n "$full" ]; then
    name=$(tr '\\0' ' ' <"$d/cmdline" 2>/dev/null)
  else
    read -r name <"$d/comm" 2>/dev/null || continue
  fi
  if echo "$name" | grep -Eq -- "$1"; then
    echo "$pid"
    found=0
  fi
done
exit $found
`;

// The busybox image's /bin holds busybox and one link per applet; a copy plus relative
// symlinks gives the same, with one bind mount per container instead of hundreds.
function prepareBusybox(bin: string, busybox: string): void {
  const listed = spawnSync(busybox, ['--list'], { encoding: 'utf8' });
  if (listed.status !== 0)
    throw new Error(`cannot list the applets of ${busybox}: ${listed.stderr}`);
  mkdirSync(bin, { recursive: true });
  copyFileSync(busybox, join(bin, 'busybox'));
  const applets = listed.stdout.split('\n');
  for (const applet of applets) {
    if (applet === '' || applet === 'busybox' || applet.includes('/')) continue;
    if (!existsSync(join(bin, applet))) symlinkSync('busybox', join(bin, applet));
  }
  if (!applets.includes('pgrep')) writeFileSync(join(bin, 'pgrep'), PGREP, { mode: 0o755 });
}

function missingSources(definition: ImageDefinition): string[] {
  const sources = [...definition.binds.map((b) => b.source), definition.busybox ?? ''];
  return sources.filter((source) => source !== '' && !existsSync(source));
}

function fileSize(path: string): number {
  try {
    const stats = statSync(path);
    return stats.isFile() ? stats.size : 0;
  } catch {
    return 0;
  }
}

export function createImageStore(stateDir: string, map: ImageMap): ImageStore {
  const file = join(stateDir, 'images.json');
  const byDefinition = new Map(map.definitions.map((d) => [imageIdOf(d), d]));
  const records = loadRecords(file).filter((record) => byDefinition.has(record.id));
  const dirOf = (id: string) => join(stateDir, 'images', id.slice('sha256:'.length));
  const resolve = (record: ImageRecord): ResolvedImage => ({
    record,
    definition: byDefinition.get(record.id)!,
    dir: dirOf(record.id),
  });
  const save = () => writeFileAtomicSync(file, `${JSON.stringify({ images: records }, null, 2)}\n`);

  const find = (nameOrId: string): ResolvedImage | undefined => {
    const record = findRecord(records, nameOrId);
    return record === undefined ? undefined : resolve(record);
  };

  const pull = (name: string): ResolvedImage => {
    const ref = parseImageReference(name);
    const definition = findImageDefinition(map, ref.repository);
    if (definition === undefined) throw notInMap(name, map);
    const missing = missingSources(definition);
    if (missing.length > 0) {
      throw new CriError(
        'FAILED_PRECONDITION',
        `cannot pull image "${name}": ${missing.join(', ')} of image ${definition.name} does not exist (${map.source})`,
      );
    }
    const id = imageIdOf(definition);
    prepare(dirOf(id), definition);
    const tag = formatImageReference(ref);
    for (const record of records) record.tags = record.tags.filter((t) => t !== tag);
    let record = records.find((r) => r.id === id);
    if (record === undefined) {
      record = { id, definition: definition.name, tags: [] };
      records.push(record);
    }
    record.tags.push(tag);
    save();
    return resolve(record);
  };

  const remove = (nameOrId: string): void => {
    const record = findRecord(records, nameOrId);
    if (record === undefined) return;
    records.splice(records.indexOf(record), 1);
    save();
  };

  const sizeOf = (image: ResolvedImage): number => {
    const { definition } = image;
    const files = [...definition.binds.map((b) => b.source), definition.busybox ?? ''];
    return Math.max(
      1,
      files.reduce((sum, path) => sum + (path === '' ? 0 : fileSize(path)), 0),
    );
  };

  return { map, list: () => records.map(resolve), find, pull, remove, sizeOf };
}

function notInMap(name: string, map: ImageMap): CriError {
  return new CriError(
    'NOT_FOUND',
    `cannot pull image "${name}": the lab runtime runs only the images in its image map, and this ` +
      `one is not there (${describeImageMap(map)}); add it with --image-map`,
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
  return records.find((r) => r.tags.includes(wanted));
}

function loadRecords(file: string): ImageRecord[] {
  if (!existsSync(file)) return [];
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { images?: ImageRecord[] };
  return parsed.images ?? [];
}

// A tar writer for image layers: POSIX ustar headers, pax extended headers where ustar falls
// short (names over 100 bytes, non-ASCII names, sizes of 8 GiB and more), and every field that
// could differ between two builds fixed (mtime, uid/gid 0, uname/gname root, entries sorted by
// name, parent directories added), so the same inputs give the same bytes. File contents are
// streamed from disk, never held whole in memory.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { posix } from 'node:path';
import {
  BLOCK_SIZE,
  FIELD,
  headerChecksum,
  MAX_OCTAL_SIZE,
  paddingAfter,
  type TarField,
  TYPEFLAG,
  USTAR_MAGIC,
  USTAR_VERSION,
} from './tar-format.ts';

export interface TarDirectory {
  type: 'directory';
  /** Relative path, `/`-separated, without a trailing slash: `usr/local/bin`. */
  path: string;
  mode: number;
}

export interface TarFile {
  type: 'file';
  path: string;
  mode: number;
  /** A file on disk (streamed) or the bytes themselves (small generated files). */
  source: string | Uint8Array;
}

export interface TarSymlink {
  type: 'symlink';
  path: string;
  target: string;
}

export type TarEntry = TarDirectory | TarFile | TarSymlink;

export interface TarOptions {
  /** Every entry's modification time, in seconds since the epoch (SOURCE_DATE_EPOCH). */
  mtime: number;
}

/** Mode given to the parent directories the writer adds. */
const PARENT_DIRECTORY_MODE = 0o755;
const OWNER = { uid: 0, gid: 0, uname: 'root', gname: 'root' } as const;

/**
 * The tar stream of `entries`: headers and data in 512-byte blocks, sorted by path, ending
 * with the two zero blocks of the end-of-archive marker.
 */
export async function* tarStream(
  entries: readonly TarEntry[],
  options: TarOptions,
): AsyncGenerator<Uint8Array> {
  for (const entry of normaliseEntries(entries)) {
    if (entry.type === 'file') yield* fileEntry(entry, options);
    else yield* headerBlocks(entry, 0, options);
  }
  yield new Uint8Array(2 * BLOCK_SIZE);
}

/** Validated, with missing parent directories added, sorted by path (byte order). */
export function normaliseEntries(entries: readonly TarEntry[]): TarEntry[] {
  const byPath = new Map<string, TarEntry>();
  for (const entry of entries) {
    checkPath(entry.path);
    if (byPath.has(entry.path)) throw new Error(`tar: ${entry.path} is given twice`);
    byPath.set(entry.path, entry);
  }
  for (const path of [...byPath.keys()]) {
    for (let dir = posix.dirname(path); dir !== '.'; dir = posix.dirname(dir)) {
      const existing = byPath.get(dir);
      if (existing && existing.type !== 'directory')
        throw new Error(`tar: ${dir} is a ${existing.type} but ${path} is inside it`);
      if (!existing) byPath.set(dir, { type: 'directory', path: dir, mode: PARENT_DIRECTORY_MODE });
    }
  }
  return [...byPath.values()].sort((a, b) =>
    Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)),
  );
}

function checkPath(path: string): void {
  const parts = path.split('/');
  if (path === '' || path.startsWith('/') || parts.some((p) => p === '' || p === '.' || p === '..'))
    throw new Error(
      `tar: ${JSON.stringify(path)} is not a relative path of plain names (no leading /, no ., .., or //)`,
    );
}

async function* fileEntry(entry: TarFile, options: TarOptions): AsyncGenerator<Uint8Array> {
  if (typeof entry.source !== 'string') {
    yield* headerBlocks(entry, entry.source.byteLength, options);
    yield entry.source;
    yield new Uint8Array(paddingAfter(entry.source.byteLength));
    return;
  }
  const size = (await stat(entry.source)).size;
  yield* headerBlocks(entry, size, options);
  let written = 0;
  for await (const chunk of createReadStream(entry.source)) {
    written += (chunk as Buffer).byteLength;
    if (written > size) break;
    yield chunk as Buffer;
  }
  if (written !== size)
    throw new Error(
      `tar: ${entry.source} changed while being archived as ${entry.path} (${size} bytes, then ${written})`,
    );
  yield new Uint8Array(paddingAfter(size));
}

/** The entry's ustar header, preceded by a pax header when a field does not fit. */
function* headerBlocks(entry: TarEntry, size: number, options: TarOptions): Generator<Uint8Array> {
  const name = entry.type === 'directory' ? `${entry.path}/` : entry.path;
  const linkname = entry.type === 'symlink' ? entry.target : '';
  const pax: Array<[string, string]> = [];
  if (!fitsUstar(name, FIELD.name[1])) pax.push(['path', name]);
  if (!fitsUstar(linkname, FIELD.linkname[1])) pax.push(['linkpath', linkname]);
  if (size > MAX_OCTAL_SIZE) pax.push(['size', String(size)]);
  if (pax.length > 0) {
    const records = Buffer.from(pax.map(([key, value]) => paxRecord(key, value)).join(''));
    const paxName = `PaxHeaders/${posix.basename(entry.path)}`;
    yield ustarHeader(
      { name: paxName, typeflag: TYPEFLAG.paxHeader, mode: 0o644, size: records.byteLength },
      options,
    );
    yield records;
    yield new Uint8Array(paddingAfter(records.byteLength));
  }
  yield ustarHeader(
    {
      name,
      linkname,
      typeflag: TYPEFLAG[entry.type],
      mode: entry.type === 'symlink' ? 0o777 : entry.mode,
      size: size > MAX_OCTAL_SIZE ? 0 : size,
    },
    options,
  );
}

/** ustar fields hold the portable character set; anything else goes in pax records (UTF-8). */
function fitsUstar(value: string, length: number): boolean {
  return value.length <= length && /^[\x20-\x7e]*$/.test(value);
}

/** `<length> <key>=<value>\n`, the length counting the whole record, its own digits included. */
export function paxRecord(key: string, value: string): string {
  const rest = Buffer.byteLength(` ${key}=${value}\n`);
  let length = rest + String(rest).length;
  if (String(length).length !== String(rest).length) length = rest + String(length).length;
  return `${length} ${key}=${value}\n`;
}

interface HeaderFields {
  name: string;
  linkname?: string;
  typeflag: string;
  mode: number;
  size: number;
}

function ustarHeader(fields: HeaderFields, options: TarOptions): Uint8Array {
  const header = Buffer.alloc(BLOCK_SIZE);
  const text = (field: TarField, value: string) => {
    const [offset, length] = FIELD[field];
    header.write(value.slice(0, length), offset, length, 'latin1');
  };
  const octal = (field: TarField, value: number) => {
    const length = FIELD[field][1];
    text(field, `${value.toString(8).padStart(length - 1, '0')}\0`);
  };
  text('name', fields.name);
  octal('mode', fields.mode & 0o7777);
  octal('uid', OWNER.uid);
  octal('gid', OWNER.gid);
  octal('size', fields.size);
  octal('mtime', options.mtime);
  text('typeflag', fields.typeflag);
  text('linkname', fields.linkname ?? '');
  text('magic', USTAR_MAGIC);
  text('version', USTAR_VERSION);
  text('uname', OWNER.uname);
  text('gname', OWNER.gname);
  octal('devmajor', 0);
  octal('devminor', 0);
  const checksum = headerChecksum(header);
  // Six octal digits, NUL, space: what POSIX tar and GNU tar write.
  text('checksum', `${checksum.toString(8).padStart(6, '0')}\0 `);
  return header;
}

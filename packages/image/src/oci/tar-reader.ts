// Lists a tar file's members with where each one's data starts, reading headers only (one
// 512-byte read per header; file data is skipped, never read): what an OCI archive reader
// needs to find blobs, and enough to check what the writer wrote. Understands ustar, pax
// extended headers (path, linkpath, size) and GNU long names.
import { open } from 'node:fs/promises';
import {
  BLOCK_SIZE,
  FIELD,
  headerChecksum,
  paddingAfter,
  type TarField,
  TYPEFLAG,
} from './tar-format.ts';

export interface TarMember {
  path: string;
  /** The ustar type flag: '0' file, '5' directory, '2' symlink, … */
  typeflag: string;
  mode: number;
  uid: number;
  gid: number;
  uname: string;
  gname: string;
  mtime: number;
  size: number;
  linkname: string;
  /** Byte offset of the member's data in the tar file. */
  offset: number;
}

export async function readTarMembers(file: string): Promise<TarMember[]> {
  const handle = await open(file, 'r');
  try {
    const { size: fileSize } = await handle.stat();
    const members: TarMember[] = [];
    let pending: Record<string, string> = {};
    let position = 0;
    const block = Buffer.alloc(BLOCK_SIZE);
    const readData = async (offset: number, length: number) => {
      const data = Buffer.alloc(length);
      await handle.read(data, 0, length, offset);
      return data;
    };
    while (position + BLOCK_SIZE <= fileSize) {
      await handle.read(block, 0, BLOCK_SIZE, position);
      if (block.every((byte) => byte === 0)) break;
      const member = parseHeader(block, position, file);
      const next = member.offset + member.size + paddingAfter(member.size);
      if (member.offset + member.size > fileSize)
        throw new Error(`${file}: ${member.path} is cut short (the file ends inside its data)`);
      if (member.typeflag === TYPEFLAG.paxHeader) {
        pending = {
          ...pending,
          ...parsePaxRecords(await readData(member.offset, member.size), file),
        };
      } else if (
        member.typeflag === TYPEFLAG.gnuLongName ||
        member.typeflag === TYPEFLAG.gnuLongLink
      ) {
        const name = (await readData(member.offset, member.size))
          .toString('utf8')
          .replace(/\0.*$/s, '');
        pending[member.typeflag === TYPEFLAG.gnuLongName ? 'path' : 'linkpath'] = name;
      } else if (member.typeflag !== TYPEFLAG.paxGlobal) {
        const size = pending.size !== undefined ? Number(pending.size) : member.size;
        members.push({
          ...member,
          path: pending.path ?? member.path,
          linkname: pending.linkpath ?? member.linkname,
          size,
        });
        position = member.offset + size + paddingAfter(size);
        pending = {};
        continue;
      }
      position = next;
    }
    return members;
  } finally {
    await handle.close();
  }
}

function parseHeader(header: Buffer, position: number, file: string): TarMember {
  const text = (field: TarField) => {
    const [offset, length] = FIELD[field];
    const raw = header.subarray(offset, offset + length);
    const end = raw.indexOf(0);
    return raw.subarray(0, end === -1 ? length : end).toString('utf8');
  };
  const number = (field: TarField) => {
    const [offset, length] = FIELD[field];
    // GNU base-256: the first byte's high bit set, the rest big-endian.
    if (header[offset]! & 0x80) {
      let value = 0;
      for (let i = offset + 1; i < offset + length; i++) value = value * 256 + header[i]!;
      return value;
    }
    const digits = text(field).trim();
    return digits === '' ? 0 : Number.parseInt(digits, 8);
  };
  const checksum = number('checksum');
  if (checksum !== headerChecksum(header))
    throw new Error(
      `${file}: not a tar file, or damaged (bad header checksum at byte ${position})`,
    );
  const prefix = text('magic').startsWith('ustar') ? text('prefix') : '';
  const name = text('name');
  return {
    path: prefix ? `${prefix}/${name}` : name,
    typeflag: text('typeflag') || TYPEFLAG.file,
    mode: number('mode'),
    uid: number('uid'),
    gid: number('gid'),
    uname: text('uname'),
    gname: text('gname'),
    mtime: number('mtime'),
    size: number('size'),
    linkname: text('linkname'),
    offset: position + BLOCK_SIZE,
  };
}

/** `<length> <key>=<value>\n` records (pax, "pax Extended Header"). */
function parsePaxRecords(data: Buffer, file: string): Record<string, string> {
  const records: Record<string, string> = {};
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    const length = Number(data.subarray(at, space).toString('ascii'));
    if (space === -1 || !Number.isInteger(length) || length <= 0 || at + length > data.length)
      throw new Error(`${file}: malformed pax header record at byte ${at}`);
    const record = data.subarray(space + 1, at + length - 1).toString('utf8');
    const equals = record.indexOf('=');
    records[record.slice(0, equals)] = record.slice(equals + 1);
    at += length;
  }
  return records;
}

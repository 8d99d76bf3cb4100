/**
 * A streaming reader of tar headers (POSIX ustar, pax `x` headers, GNU `L`/`K` long names):
 * enough to index an image archive and to list a layer's entries, without extracting anything.
 * GNU tar does the extraction; this only has to know names, types, sizes and where data starts.
 */

export type TarEntryType =
  | 'file'
  | 'hardlink'
  | 'symlink'
  | 'char'
  | 'block'
  | 'dir'
  | 'fifo'
  | 'other';

export interface TarEntry {
  /** The member's name as stored, without a leading `./` or trailing `/`. */
  name: string;
  type: TarEntryType;
  size: number;
  linkName: string;
  mode: number;
  /** Where the member's data starts in the tar stream (bytes). */
  offset: number;
}

/** Called once per member; returns a sink for its data, or nothing to skip it. */
export type TarVisitor = (entry: TarEntry) => ((chunk: Buffer) => void) | undefined;

export class TarFormatError extends Error {}

const BLOCK = 512;
const TYPES: Record<string, TarEntryType> = {
  '0': 'file',
  '\0': 'file',
  '7': 'file',
  '1': 'hardlink',
  '2': 'symlink',
  '3': 'char',
  '4': 'block',
  '5': 'dir',
  '6': 'fifo',
};

function text(block: Buffer, start: number, length: number): string {
  const field = block.subarray(start, start + length);
  const end = field.indexOf(0);
  return field.subarray(0, end === -1 ? length : end).toString('utf8');
}

// Sizes are octal, or base-256 (high bit set) past 8 GiB in GNU tar.
function numeric(block: Buffer, start: number, length: number): number {
  if ((block[start]! & 0x80) !== 0) {
    let value = 0;
    for (let i = start + 1; i < start + length; i++) value = value * 256 + block[i]!;
    return value;
  }
  const digits = text(block, start, length).trim();
  return digits === '' ? 0 : Number.parseInt(digits, 8);
}

function checksumOk(block: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : block[i]!;
  return sum === numeric(block, 148, 8);
}

/** `path=…` and `linkpath=…` of a pax extended header (`<len> key=value\n` records). */
function paxRecords(data: Buffer): Record<string, string> {
  const records: Record<string, string> = {};
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    if (space === -1) break;
    const length = Number(data.subarray(at, space).toString('ascii'));
    if (!Number.isInteger(length) || length <= 0) break;
    const record = data.subarray(space + 1, at + length - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq !== -1) records[record.slice(0, eq)] = record.slice(eq + 1);
    at += length;
  }
  return records;
}

export function cleanTarName(name: string): string {
  return name.replace(/^(\.\/)+/, '').replace(/\/+$/, '');
}

/** Feed it the tar stream chunk by chunk; `end()` checks the stream was a complete tar. */
export function createTarScanner(visit: TarVisitor) {
  let pending = Buffer.alloc(0);
  let position = 0; // stream offset of pending[0]
  let dataLeft = 0;
  let padLeft = 0;
  let sink: ((chunk: Buffer) => void) | undefined;
  let meta: { kind: 'pax' | 'longName' | 'longLink'; parts: Buffer[] } | undefined;
  let override: { name?: string; linkName?: string } = {};
  let ended = false;
  let entries = 0;

  const header = (block: Buffer, offset: number) => {
    if (block.every((byte) => byte === 0)) {
      ended = true;
      return;
    }
    if (!checksumOk(block))
      throw new TarFormatError(`not a tar archive (bad header at byte ${offset})`);
    const flag = String.fromCharCode(block[156]!);
    const size = numeric(block, 124, 12);
    dataLeft = size;
    padLeft = (BLOCK - (size % BLOCK)) % BLOCK;
    if (flag === 'x' || flag === 'L' || flag === 'K') {
      meta = { kind: flag === 'x' ? 'pax' : flag === 'L' ? 'longName' : 'longLink', parts: [] };
      sink = (chunk) => meta!.parts.push(Buffer.from(chunk));
      return;
    }
    meta = undefined;
    if (flag === 'g') {
      sink = undefined;
      return;
    }
    const prefix =
      block.subarray(257, 262).toString('ascii') === 'ustar' ? text(block, 345, 155) : '';
    const stored = prefix === '' ? text(block, 0, 100) : `${prefix}/${text(block, 0, 100)}`;
    const entry: TarEntry = {
      name: cleanTarName(override.name ?? stored),
      type: TYPES[flag] ?? 'other',
      size,
      linkName: override.linkName ?? text(block, 157, 100),
      mode: numeric(block, 100, 8),
      offset: offset + BLOCK,
    };
    override = {};
    entries++;
    sink = visit(entry);
  };

  const finishMeta = () => {
    if (meta === undefined) return;
    const data = Buffer.concat(meta.parts);
    if (meta.kind === 'pax') {
      const records = paxRecords(data);
      if (records.path !== undefined) override.name = records.path;
      if (records.linkpath !== undefined) override.linkName = records.linkpath;
    } else {
      const value = text(data, 0, data.length);
      if (meta.kind === 'longName') override.name = value;
      else override.linkName = value;
    }
    meta = undefined;
  };

  const write = (chunk: Buffer) => {
    let at = 0;
    while (at < chunk.length && !ended) {
      if (dataLeft > 0) {
        const take = Math.min(dataLeft, chunk.length - at);
        sink?.(chunk.subarray(at, at + take));
        dataLeft -= take;
        at += take;
        position += take;
        if (dataLeft === 0) finishMeta();
        continue;
      }
      if (padLeft > 0) {
        const take = Math.min(padLeft, chunk.length - at);
        padLeft -= take;
        at += take;
        position += take;
        continue;
      }
      const need = BLOCK - pending.length;
      const take = Math.min(need, chunk.length - at);
      pending = Buffer.concat([pending, chunk.subarray(at, at + take)]);
      at += take;
      if (pending.length < BLOCK) break;
      const block = pending;
      pending = Buffer.alloc(0);
      header(block, position);
      position += BLOCK;
      if (dataLeft === 0) finishMeta();
    }
  };

  const end = (): { entries: number } => {
    if (!ended && (dataLeft > 0 || padLeft > 0 || pending.length > 0 || entries === 0)) {
      throw new TarFormatError(
        entries === 0 ? 'not a tar archive (no entries)' : 'truncated tar archive',
      );
    }
    return { entries };
  };

  return { write, end };
}

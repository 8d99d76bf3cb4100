// The POSIX ustar header (pax, IEEE Std 1003.1-2017, "ustar Interchange Format") as data: field
// offsets and lengths, type flags, the magic. The writer and the reader both read it from here
// and share nothing else.

/** Every header and every file's data are padded to whole blocks of this size. */
export const BLOCK_SIZE = 512;

/** [offset, length] of each header field. */
export const FIELD = {
  name: [0, 100],
  mode: [100, 8],
  uid: [108, 8],
  gid: [116, 8],
  size: [124, 12],
  mtime: [136, 12],
  checksum: [148, 8],
  typeflag: [156, 1],
  linkname: [157, 100],
  magic: [257, 6],
  version: [263, 2],
  uname: [265, 32],
  gname: [297, 32],
  devmajor: [329, 8],
  devminor: [337, 8],
  prefix: [345, 155],
} as const satisfies Record<string, readonly [number, number]>;

export type TarField = keyof typeof FIELD;

/** Type flags this package writes or understands. */
export const TYPEFLAG = {
  file: '0',
  hardlink: '1',
  symlink: '2',
  character: '3',
  block: '4',
  directory: '5',
  fifo: '6',
  /** pax extended header: records for the next entry. */
  paxHeader: 'x',
  /** pax global header: records for every entry that follows. */
  paxGlobal: 'g',
  /** GNU long name / long link name (GNU tar's own extension, read only). */
  gnuLongName: 'L',
  gnuLongLink: 'K',
} as const;

/** `ustar\0` + version `00`: POSIX ustar (GNU tar's old format writes `ustar  \0`). */
export const USTAR_MAGIC = 'ustar\0';
export const USTAR_VERSION = '00';

/** The largest size a 12-byte octal field holds (11 digits + NUL): 8 GiB - 1. */
export const MAX_OCTAL_SIZE = 8 ** 11 - 1;

/** The checksum is computed with its own field as eight spaces. */
export function headerChecksum(header: Uint8Array): number {
  const [offset, length] = FIELD.checksum;
  let sum = 0;
  for (let i = 0; i < BLOCK_SIZE; i++) {
    sum += i >= offset && i < offset + length ? 0x20 : header[i]!;
  }
  return sum;
}

/** Bytes of padding after `size` bytes of data, up to the next block. */
export function paddingAfter(size: number): number {
  return (BLOCK_SIZE - (size % BLOCK_SIZE)) % BLOCK_SIZE;
}

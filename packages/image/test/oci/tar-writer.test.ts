import { spawnSync } from 'node:child_process';
import {
  createWriteStream,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readTarMembers } from '../../src/oci/tar-reader.ts';
import { paxRecord, type TarEntry, tarStream } from '../../src/oci/tar-writer.ts';

const MTIME = 1_700_000_000;
const LONG_NAME = `opt/${'deep/'.repeat(25)}file-with-a-long-name.txt`; // 150+ bytes: pax path
const LONG_TARGET = `/${'target/'.repeat(16)}end`; // over 100 bytes: pax linkpath

let dir = '';
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'loom-image-tar-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function writeTar(entries: TarEntry[], name = 'out.tar'): Promise<string> {
  const file = join(dir, name);
  await pipeline(Readable.from(tarStream(entries, { mtime: MTIME })), createWriteStream(file));
  return file;
}

/** `opt/`, `opt/deep/`, … : the directories the writer adds above `path`. */
function parentsOf(path: string): string[] {
  const parts = path.split('/').slice(0, -1);
  return parts.map((_, i) => `${parts.slice(0, i + 1).join('/')}/`);
}

function gnuTar(...args: string[]): string {
  const run = spawnSync('tar', args, { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`tar ${args.join(' ')}: ${run.stderr}`);
  return run.stdout;
}

function sampleEntries(): TarEntry[] {
  const big = join(dir, 'big.bin');
  // 3 blocks + 7 bytes: exercises the padding after a file's data.
  writeFileSync(big, Buffer.alloc(3 * 512 + 7, 0xab));
  return [
    { type: 'file', path: 'usr/local/bin/tool', mode: 0o755, source: big },
    { type: 'file', path: 'etc/motd', mode: 0o644, source: Buffer.from('hello\n') },
    { type: 'directory', path: 'var/empty', mode: 0o700 },
    { type: 'symlink', path: 'usr/bin/tool', target: '../local/bin/tool' },
    { type: 'file', path: LONG_NAME, mode: 0o600, source: Buffer.from('long') },
    { type: 'file', path: 'opt/ünïcode-名前', mode: 0o644, source: Buffer.from('utf8') },
    { type: 'symlink', path: 'opt/far', target: LONG_TARGET },
  ];
}

describe('the tar writer, read back by GNU tar', () => {
  it('lists every entry, parents added, sorted, with fixed owner and mtime', async () => {
    const file = await writeTar(sampleEntries());
    const listing = gnuTar('--numeric-owner', '--full-time', '-tvf', file, '--utc')
      .trimEnd()
      .split('\n');
    const names = listing.map((line) =>
      line
        .split(/\s+/)
        .slice(5)
        .join(' ')
        .replace(/ -> .*/, ''),
    );
    expect(names).toEqual([
      'etc/',
      'etc/motd',
      ...parentsOf(LONG_NAME),
      LONG_NAME,
      'opt/far',
      'opt/ünïcode-名前',
      'usr/',
      'usr/bin/',
      'usr/bin/tool',
      'usr/local/',
      'usr/local/bin/',
      'usr/local/bin/tool',
      'var/',
      'var/empty/',
    ]);
    for (const line of listing) {
      expect(line).toMatch(/^\S+ 0\/0 /);
      expect(line).toContain('2023-11-14 22:13:20');
    }
    expect(listing.find((l) => l.endsWith('usr/local/bin/tool'))).toMatch(
      /^-rwxr-xr-x 0\/0 +1543 /,
    );
    expect(listing.find((l) => l.includes('var/empty'))).toMatch(/^drwx------ /);
    expect(listing.find((l) => l.includes('opt/far'))).toContain(`-> ${LONG_TARGET}`);
  });

  it('extracts the exact contents, modes and link targets', async () => {
    const file = await writeTar(sampleEntries());
    const out = join(dir, 'x');
    mkdirSync(out);
    gnuTar('-xf', file, '-C', out);
    expect(statSync(join(out, 'usr/local/bin/tool')).mode & 0o7777).toBe(0o755);
    expect(readFileSync(join(out, 'usr/local/bin/tool'))).toEqual(Buffer.alloc(1543, 0xab));
    expect(readFileSync(join(out, 'etc/motd'), 'utf8')).toBe('hello\n');
    expect(readFileSync(join(out, LONG_NAME), 'utf8')).toBe('long');
    expect(statSync(join(out, LONG_NAME)).mode & 0o7777).toBe(0o600);
    expect(readFileSync(join(out, 'opt/ünïcode-名前'), 'utf8')).toBe('utf8');
    expect(readlinkSync(join(out, 'usr/bin/tool'))).toBe('../local/bin/tool');
    expect(readlinkSync(join(out, 'opt/far'))).toBe(LONG_TARGET);
    expect(lstatSync(join(out, 'var/empty')).isDirectory()).toBe(true);
  });

  it('writes the same bytes for the same entries in any order', async () => {
    const a = await writeTar(sampleEntries(), 'a.tar');
    const b = await writeTar(sampleEntries().reverse(), 'b.tar');
    expect(readFileSync(a).equals(readFileSync(b))).toBe(true);
    // ends with the two zero blocks of the end-of-archive marker, in whole blocks
    expect(statSync(a).size % 512).toBe(0);
    expect(
      readFileSync(a)
        .subarray(-1024)
        .every((byte) => byte === 0),
    ).toBe(true);
  });

  it("is read back by this package's tar reader with names, sizes and data offsets", async () => {
    const file = await writeTar(sampleEntries());
    const members = await readTarMembers(file);
    const long = members.find((m) => m.path === LONG_NAME)!;
    expect(long).toMatchObject({
      typeflag: '0',
      mode: 0o600,
      size: 4,
      uid: 0,
      uname: 'root',
      mtime: MTIME,
    });
    expect(
      readFileSync(file)
        .subarray(long.offset, long.offset + 4)
        .toString(),
    ).toBe('long');
    expect(members.find((m) => m.path === 'opt/far')).toMatchObject({
      typeflag: '2',
      linkname: LONG_TARGET,
    });
    expect(members.find((m) => m.path === 'opt/ünïcode-名前')?.size).toBe(4);
  });
});

describe('the tar writer refuses', () => {
  it.each([
    ['an absolute path', '/etc/passwd', /not a relative path/],
    ['a path climbing out', 'usr/../../etc', /not a relative path/],
    ['an empty component', 'usr//bin', /not a relative path/],
  ])('%s', async (_what, path, error) => {
    await expect(writeTar([{ type: 'directory', path, mode: 0o755 }])).rejects.toThrow(error);
  });

  it('a path given twice', async () => {
    const entry: TarEntry = { type: 'file', path: 'a', mode: 0o644, source: Buffer.from('') };
    await expect(writeTar([entry, entry])).rejects.toThrow('tar: a is given twice');
  });

  it('an entry inside a file', async () => {
    await expect(
      writeTar([
        { type: 'file', path: 'a', mode: 0o644, source: Buffer.from('') },
        { type: 'file', path: 'a/b', mode: 0o644, source: Buffer.from('') },
      ]),
    ).rejects.toThrow('tar: a is a file but a/b is inside it');
  });

  it('a source file that does not exist, naming it', async () => {
    const missing = join(dir, 'missing');
    await expect(
      writeTar([{ type: 'file', path: 'a', mode: 0o644, source: missing }]),
    ).rejects.toThrow(missing);
  });
});

describe('pax records', () => {
  it.each([
    ['path', 'a', '9 path=a\n'],
    ['path', 'abcdefghi', '18 path=abcdefghi\n'],
    // 98 bytes besides the length: 2 digits would make 100, which has 3: the record is 101.
    ['path', 'x'.repeat(91), `101 path=${'x'.repeat(91)}\n`],
  ])('%s=%s is %j', (key, value, record) => {
    expect(paxRecord(key, value)).toBe(record);
    expect(Buffer.byteLength(record)).toBe(Number(record.split(' ')[0]));
  });
});

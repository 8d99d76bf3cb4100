import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTarMembers } from '../../src/oci/tar-reader.ts';

// The reader meets archives other tools wrote (skopeo's, a runtime's, mmdebstrap's): GNU tar's
// own formats, with their two ways of carrying a long name, must read as GNU tar lists them.
const LONG = `${'long-directory-name/'.repeat(6)}file.txt`;

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'loom-image-tar-reader-'));
  mkdirSync(join(dir, 'src', LONG, '..'), { recursive: true });
  writeFileSync(join(dir, 'src', LONG), 'far down\n');
  writeFileSync(join(dir, 'src', 'short'), 'x'.repeat(700));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.each(['gnu', 'pax', 'ustar'])('a GNU tar archive in %s format', (format) => {
  it('lists as GNU tar lists it, with each file data where the offset says', async () => {
    const file = join(dir, `${format}.tar`);
    const members = ['short', ...(format === 'ustar' ? [] : [LONG])];
    const made = spawnSync('tar', [
      `--format=${format}`,
      '-cf',
      file,
      '-C',
      join(dir, 'src'),
      ...members,
    ]);
    expect(made.status, String(made.stderr)).toBe(0);
    const listed = spawnSync('tar', ['-tf', file], { encoding: 'utf8' })
      .stdout.trimEnd()
      .split('\n');
    const read = await readTarMembers(file);
    expect(read.map((m) => m.path)).toEqual(listed);
    const bytes = readFileSync(file);
    for (const member of read) {
      const data = bytes.subarray(member.offset, member.offset + member.size);
      expect(data.equals(readFileSync(join(dir, 'src', member.path)))).toBe(true);
    }
  });
});

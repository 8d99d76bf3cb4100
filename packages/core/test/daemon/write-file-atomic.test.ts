import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AtomicWriteError,
  type WriteFileAtomicOptions,
  writeFileAtomic,
  writeFileAtomicSync,
} from '../../src/daemon/index.ts';

type Write = (path: string, data: string | Uint8Array, options?: WriteFileAtomicOptions) => unknown;

const WRITERS: { name: string; write: Write }[] = [
  { name: 'writeFileAtomic', write: writeFileAtomic },
  { name: 'writeFileAtomicSync', write: writeFileAtomicSync },
];

describe.each(WRITERS)('$name', ({ name, write }) => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), `loom-${name}-`));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const modeOf = async (path: string) => (await stat(path)).mode & 0o777;

  it.each([
    { case: 'default mode', data: 'a\n', mode: undefined, want: 0o644 },
    { case: 'private file', data: 'secret', mode: 0o600, want: 0o600 },
    // 0o755 would lose bits to a 022 umask were it only passed to open().
    { case: 'executable', data: new Uint8Array([0x7f, 0x45]), mode: 0o755, want: 0o755 },
    { case: 'group-writable, which a 022 umask would strip', data: '', mode: 0o664, want: 0o664 },
  ])('writes content and mode: $case', async ({ data, mode, want }) => {
    const path = join(dir, `file-${want.toString(8)}`);
    await write(path, data, mode === undefined ? {} : { mode });
    expect(new Uint8Array(await readFile(path))).toEqual(
      typeof data === 'string' ? new TextEncoder().encode(data) : data,
    );
    expect(await modeOf(path)).toBe(want);
  });

  it('replaces an existing file, taking the new mode', async () => {
    const path = join(dir, 'replaced');
    await writeFile(path, 'old', { mode: 0o600 });
    await write(path, 'new', { mode: 0o644 });
    expect(await readFile(path, 'utf8')).toBe('new');
    expect(await modeOf(path)).toBe(0o644);
  });

  it.each([
    { case: 'the directory is missing', target: (d: string) => join(d, 'missing', 'file') },
    // The rename fails after the temporary file was written: it must not stay behind.
    { case: 'a non-empty directory is in the way', target: (d: string) => join(d, 'in-the-way') },
  ])('leaves no temporary file when $case', async ({ target }) => {
    const parent = await mkdtemp(join(dir, 'failing-'));
    await mkdir(join(parent, 'in-the-way', 'child'), { recursive: true });
    const path = target(parent);
    const error = await (async () => write(path, 'data'))().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AtomicWriteError);
    expect(error).toMatchObject({ code: 'LOOM_ATOMIC_WRITE', path });
    expect((error as Error).message).toMatch(new RegExp(`^cannot write ${path}: `));
    expect((await readdir(parent)).sort()).toEqual(['in-the-way']);
    expect(await readdir(join(parent, 'in-the-way'))).toEqual(['child']);
  });
});

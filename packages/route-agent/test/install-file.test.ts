import { createHash } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { digestFile, InstallFileError, installFile, rewriteFirstLine } from '../src/index.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loom-install-file-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const sha256 = (content: string) => createHash('sha256').update(content).digest('hex');

/** The rewrite fed the given chunks, as read() may split a file. */
async function rewrite(chunks: string[], line = '#!/opt/cni/bin/loom-node'): Promise<string> {
  async function* source() {
    for (const chunk of chunks) yield Buffer.from(chunk);
  }
  const out: Buffer[] = [];
  for await (const chunk of rewriteFirstLine(line, 'src')(source())) out.push(Buffer.from(chunk));
  return Buffer.concat(out).toString();
}

describe('rewriteFirstLine', () => {
  it.each([
    { name: 'one chunk', chunks: ['#!/usr/local/bin/node\nconsole.log(1);\n'] },
    {
      name: 'line split across chunks',
      chunks: ['#!/usr/lo', 'cal/bin/node', '\nconsole.log(1);\n'],
    },
    { name: 'newline ends a chunk', chunks: ['#!/usr/local/bin/node\n', 'console.log(1);\n'] },
    { name: 'one byte at a time', chunks: [...'#!/usr/local/bin/node\nconsole.log(1);\n'] },
    {
      name: 'interpreter with arguments',
      chunks: ['#!/usr/bin/env -S node --x\nconsole.log(1);\n'],
    },
  ])('replaces only the first line: $name', async ({ chunks }) => {
    expect(await rewrite(chunks)).toBe('#!/opt/cni/bin/loom-node\nconsole.log(1);\n');
  });

  it.each([
    { name: 'an ELF binary', chunks: ['\x7fELF\x02\x01\x01\n'], why: 'does not start with a "#!"' },
    { name: 'no newline at all', chunks: ['#!/usr/local/bin/node'], why: 'ending in a newline' },
    { name: 'an empty file', chunks: [], why: 'does not start with a "#!"' },
    {
      name: 'a first line over 4 KiB',
      chunks: ['#!', 'x'.repeat(5000)],
      why: 'ending in a newline',
    },
  ])('refuses $name', async ({ chunks, why }) => {
    await expect(rewrite(chunks)).rejects.toThrow(why);
  });
});

describe('installFile', () => {
  it('copies with mode 755, then skips while size and SHA-256 match, leaving no temp files', async () => {
    const source = join(dir, 'src');
    const target = join(dir, 'bin', 'loom-cni');
    await writeFile(source, '#!/usr/local/bin/node\nv1\n');
    const first = await installFile({ source, target, firstLine: '#!/opt/cni/bin/loom-node' });
    expect(first).toEqual({
      target,
      action: 'copied',
      digest: { size: 28, sha256: sha256('#!/opt/cni/bin/loom-node\nv1\n') },
    });
    expect(await readFile(target, 'utf8')).toBe('#!/opt/cni/bin/loom-node\nv1\n');
    expect((await stat(target)).mode & 0o7777).toBe(0o755);
    const inode = (await stat(target)).ino;

    const again = await installFile({ source, target, firstLine: '#!/opt/cni/bin/loom-node' });
    expect(again.action).toBe('unchanged');
    expect((await stat(target)).ino).toBe(inode);
    expect(await readdir(join(dir, 'bin'))).toEqual(['loom-cni']);
  });

  it.each([
    {
      name: 'same size, other bytes',
      tamper: (t: string) => writeFile(t, '#!/opt/cni/bin/loom-node\nv2\n'),
    },
    { name: 'truncated', tamper: (t: string) => writeFile(t, '') },
    { name: 'mode lost', tamper: (t: string) => chmod(t, 0o644) },
    { name: 'deleted', tamper: (t: string) => rm(t) },
  ])('replaces an installed file that was $name, by rename', async ({ tamper }) => {
    const source = join(dir, 'src');
    const target = join(dir, 'loom-ipam');
    await writeFile(source, '#!/usr/local/bin/node\nv1\n');
    const options = { source, target, firstLine: '#!/opt/cni/bin/loom-node' };
    await installFile(options);
    await tamper(target);
    expect((await installFile(options)).action).toBe('copied');
    expect(await readFile(target, 'utf8')).toBe('#!/opt/cni/bin/loom-node\nv1\n');
    expect((await stat(target)).mode & 0o7777).toBe(0o755);
  });

  it('names a missing source', async () => {
    const error = await installFile({ source: join(dir, 'nope'), target: join(dir, 'x') }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InstallFileError);
    expect(error).toMatchObject({
      reason: 'source-missing',
      message: `cannot install ${join(dir, 'x')}: ${join(dir, 'nope')} does not exist`,
    });
  });

  it('names an unwritable directory and leaves nothing behind', async () => {
    const source = join(dir, 'src');
    await writeFile(source, 'x');
    const blocked = join(dir, 'file-not-dir');
    await writeFile(blocked, '');
    await expect(installFile({ source, target: join(blocked, 'loom-node') })).rejects.toThrow(
      `cannot install ${join(blocked, 'loom-node')}: `,
    );
    await mkdir(join(dir, 'ro'), { mode: 0o555 });
    if (process.getuid?.() !== 0) {
      // root writes anywhere; a read-only directory only stops other users
      await expect(installFile({ source, target: join(dir, 'ro', 'x') })).rejects.toThrow(/EACCES/);
    }
    expect(await readdir(join(dir, 'ro'))).toEqual([]);
  });

  it('refuses to rewrite the first line of a file that is no script', async () => {
    const source = join(dir, 'elf');
    await writeFile(source, '\x7fELF....\n');
    await expect(
      installFile({ source, target: join(dir, 'out'), firstLine: '#!/x' }),
    ).rejects.toThrow(`cannot read ${source}: ${source} does not start with a "#!" line`);
  });
});

describe('digestFile', () => {
  it('streams a file much larger than one read chunk', async () => {
    const path = join(dir, 'big');
    const content = 'loom'.repeat(1 << 20).concat('tail'); // 4 MiB and 4 bytes: several chunks
    await writeFile(path, content);
    expect(await digestFile(path)).toEqual({ size: content.length, sha256: sha256(content) });
    expect(await digestFile(join(dir, 'missing'))).toBeUndefined();
  });
});

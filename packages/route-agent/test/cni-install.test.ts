import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPluginInstaller, installConflist, packagedPluginSources } from '../src/index.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loom-route-agent-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('installConflist', () => {
  it('writes once, then only when the content changes, leaving no temporary files', async () => {
    const path = join(dir, 'net.d', '10-loom.conflist');
    expect(await installConflist(path, '{"a":1}\n')).toBe(true);
    const first = await stat(path);
    expect(await installConflist(path, '{"a":1}\n')).toBe(false);
    expect((await stat(path)).ino).toBe(first.ino);
    expect(await installConflist(path, '{"a":2}\n')).toBe(true);
    expect(await readFile(path, 'utf8')).toBe('{"a":2}\n');
    expect((await stat(path)).ino).not.toBe(first.ino); // replaced by rename, never rewritten in place
    expect(await readdir(join(dir, 'net.d'))).toEqual(['10-loom.conflist']);
  });
});

describe('createPluginInstaller', () => {
  it('copies executables atomically with mode 755, and again only when the source changes', async () => {
    const source = join(dir, 'src-loom-cni');
    await writeFile(source, 'binary v1');
    const install = createPluginInstaller(join(dir, 'bin'));
    expect(await install([{ name: 'loom-cni', source }])).toEqual(['loom-cni']);
    expect((await stat(join(dir, 'bin', 'loom-cni'))).mode & 0o777).toBe(0o755);
    expect(await install([{ name: 'loom-cni', source }])).toEqual([]);
    await writeFile(source, 'binary v2');
    // The installer trusts its own copy until the target changes; a fresh one compares bytes.
    expect(await createPluginInstaller(join(dir, 'bin'))([{ name: 'loom-cni', source }])).toEqual([
      'loom-cni',
    ]);
    expect(await readFile(join(dir, 'bin', 'loom-cni'), 'utf8')).toBe('binary v2');
  });

  it('restores a plugin deleted from the bin dir', async () => {
    const source = join(dir, 'src-loom-ipam');
    await writeFile(source, 'ipam');
    const install = createPluginInstaller(join(dir, 'bin'));
    await install([{ name: 'loom-ipam', source }]);
    await rm(join(dir, 'bin', 'loom-ipam'));
    expect(await install([{ name: 'loom-ipam', source }])).toEqual(['loom-ipam']);
  });

  it('names the missing source and the way out', async () => {
    const install = createPluginInstaller(join(dir, 'bin'));
    await expect(install([{ name: 'loom-cni', source: join(dir, 'nope') }])).rejects.toThrow(
      `cannot install CNI plugin loom-cni: ${join(dir, 'nope')} does not exist (build it, or point --cni-plugin-dir at a directory holding it)`,
    );
  });

  it('finds the packaged plugins in the dist/ of @loom-net/cni and @loom-net/ipam', () => {
    const sources = packagedPluginSources();
    expect(sources.map((s) => s.name)).toEqual(['loom-cni', 'loom-ipam']);
    expect(sources[0]?.source).toMatch(/@loom-net\/cni\/dist\/loom-cni$/);
    expect(sources[1]?.source).toMatch(/@loom-net\/ipam\/dist\/loom-ipam$/);
  });
});

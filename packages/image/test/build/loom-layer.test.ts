import { spawnSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageEntrypoints } from '../../src/build/build-image.ts';
import { bundleEntrypoint, packageEntrypoints } from '../../src/build/bundles.ts';
import { buildLoomLayer, type LoomLayer } from '../../src/build/loom-layer.ts';

const repoRoot = join(import.meta.dirname, '..', '..', '..', '..');
const node = join(repoRoot, 'node_modules', 'node', 'bin', 'node');
const MTIME = 1_700_000_000;

let dir = '';
let first: LoomLayer;
let second: LoomLayer;
let unpacked = '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'loom-image-layer-'));
  const entrypoints = imageEntrypoints(repoRoot);
  for (const name of ['one', 'two']) mkdirSync(join(dir, name));
  first = await buildLoomLayer({
    entrypoints,
    mtime: MTIME,
    workDir: join(dir, 'one'),
  });
  second = await buildLoomLayer({
    entrypoints,
    mtime: MTIME,
    workDir: join(dir, 'two'),
  });
  unpacked = join(dir, 'unpacked');
  mkdirSync(unpacked);
  const tar = spawnSync('tar', ['-xzf', first.file, '-C', unpacked], { encoding: 'utf8' });
  if (tar.status !== 0) throw new Error(tar.stderr);
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the Loom layer', () => {
  it('is the same blob when built twice from the same sources', () => {
    expect(second.digest).toBe(first.digest);
    expect(second.diffId).toBe(first.diffId);
    expect(readFileSync(second.file).equals(readFileSync(first.file))).toBe(true);
  });

  it('holds one bundle per bin of cni, ipam and route-agent, and nothing else', () => {
    const bins = ['cni', 'ipam', 'route-agent'].flatMap((pkg) =>
      Object.keys(
        JSON.parse(readFileSync(join(repoRoot, 'packages', pkg, 'package.json'), 'utf8')).bin,
      ),
    );
    expect(readdirSync(unpacked)).toEqual(['opt']);
    expect(readdirSync(join(unpacked, 'opt/loom/bin')).sort()).toEqual(bins.sort());
    for (const bin of bins) {
      const file = join(unpacked, 'opt/loom/bin', bin);
      expect(statSync(file).mode & 0o7777).toBe(0o755);
      // Plugins (CommonJS) start bare; the rest run with the daemons' memory flag.
      const plugin = bin === 'loom-cni' || bin === 'loom-ipam';
      expect(readFileSync(file, 'utf8').split('\n')[0]).toBe(
        plugin ? '#!/usr/local/bin/node' : '#!/usr/local/bin/node --optimize-for-size',
      );
    }
  });

  it('has bundles that run on Node 24 alone: a CNI VERSION, a daemon --help', () => {
    const bin = (name: string) => join(unpacked, 'opt/loom/bin', name);
    const cni = spawnSync(node, [bin('loom-cni')], {
      input: '{"cniVersion":"1.1.0"}',
      env: { CNI_COMMAND: 'VERSION' },
      encoding: 'utf8',
    });
    expect(cni.status, cni.stderr).toBe(0);
    expect(JSON.parse(cni.stdout).supportedVersions).toContain('1.1.0');
    const agent = spawnSync(node, [bin('loom-route-agent'), '--help'], {
      encoding: 'utf8',
      cwd: dir,
    });
    expect(agent.status, agent.stderr).toBe(0);
    expect(agent.stdout).toContain('--');
  });
});

describe("the layer's loom-cni-install", () => {
  it('installs the plugins with the #! line that starts them on loom-node, and they answer', () => {
    const host = join(dir, 'host-cni-bin');
    const install = spawnSync(
      node,
      [
        join(unpacked, 'opt/loom/bin/loom-cni-install'),
        `--host-bin-dir=${host}`,
        `--cni-bin-dir=${host}`,
        `--node=${node}`,
        `--bundle-dir=${join(unpacked, 'opt/loom/bin')}`,
      ],
      { encoding: 'utf8' },
    );
    expect(install.status, install.stderr).toBe(0);
    for (const plugin of ['loom-cni', 'loom-ipam']) {
      const file = join(host, plugin);
      expect(readFileSync(file, 'utf8').split('\n')[0]).toBe(
        `#!${host}/loom-node --no-rehash-snapshot`,
      );
      // Started by the kernel through its #! line, as a container runtime starts it.
      const version = spawnSync(file, [], {
        input: '{"cniVersion":"1.1.0"}',
        env: { CNI_COMMAND: 'VERSION' },
        encoding: 'utf8',
      });
      expect(version.status, version.stderr).toBe(0);
      expect(JSON.parse(version.stdout)).toMatchObject({ cniVersion: '1.1.0' });
    }
  });
});

describe('the Loom layer refuses', () => {
  it('a source that does not bundle, naming the file and the line', async () => {
    const broken = join(dir, 'broken.ts');
    writeFileSync(
      broken,
      "import { x } from './ok.ts';\nimport { nothing } from './does-not-exist.ts';\nexport const y = [x, nothing];\n",
    );
    writeFileSync(join(dir, 'ok.ts'), 'export const x = 1;\n');
    await expect(bundleEntrypoint(broken, join(dir, 'out', 'broken'))).rejects.toThrow(
      /cannot bundle .*broken\.ts:\n.*broken\.ts:2: Could not resolve "\.\/does-not-exist\.ts"/,
    );
  });

  it('a bin whose source does not exist, and one it cannot map to a source', () => {
    const pkg = join(dir, 'pkg');
    mkdirSync(join(pkg, 'src'), { recursive: true });
    writeFileSync(
      join(pkg, 'package.json'),
      JSON.stringify({ name: '@x/y', bin: { y: './dist/y' } }),
    );
    expect(() => packageEntrypoints(pkg)).toThrow(
      `@x/y bin y (./dist/y): its source ${join(pkg, 'src/main.ts')} does not exist`,
    );
    writeFileSync(
      join(pkg, 'package.json'),
      JSON.stringify({ name: '@x/y', bin: { y: './bin/y.sh' } }),
    );
    expect(() => packageEntrypoints(pkg)).toThrow(
      'cannot tell which source builds the bin ./bin/y.sh',
    );
  });
});

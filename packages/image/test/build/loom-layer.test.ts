import { spawnSync } from 'node:child_process';
import {
  chmodSync,
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
// A stand-in for the 126 MB Node binary: the layer's reproducibility does not depend on its size.
let fakeNode = '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'loom-image-layer-'));
  fakeNode = join(dir, 'node');
  writeFileSync(fakeNode, '#!/bin/sh\necho v24.99.0\n');
  chmodSync(fakeNode, 0o755);
  const entrypoints = imageEntrypoints(repoRoot);
  for (const name of ['one', 'two']) mkdirSync(join(dir, name));
  first = await buildLoomLayer({
    entrypoints,
    node: fakeNode,
    mtime: MTIME,
    workDir: join(dir, 'one'),
  });
  second = await buildLoomLayer({
    entrypoints,
    node: fakeNode,
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
    expect(first.nodeVersion).toBe('v24.99.0');
    expect(second.digest).toBe(first.digest);
    expect(second.diffId).toBe(first.diffId);
    expect(readFileSync(second.file).equals(readFileSync(first.file))).toBe(true);
  });

  it('holds node at /usr/local/bin/node and one bundle per bin of cni, ipam and route-agent', () => {
    const bins = ['cni', 'ipam', 'route-agent'].flatMap((pkg) =>
      Object.keys(
        JSON.parse(readFileSync(join(repoRoot, 'packages', pkg, 'package.json'), 'utf8')).bin,
      ),
    );
    expect(readdirSync(join(unpacked, 'opt/loom/bin')).sort()).toEqual(bins.sort());
    expect(statSync(join(unpacked, 'usr/local/bin/node')).mode & 0o7777).toBe(0o755);
    for (const bin of bins) {
      const file = join(unpacked, 'opt/loom/bin', bin);
      expect(statSync(file).mode & 0o7777).toBe(0o755);
      expect(readFileSync(file, 'utf8').split('\n')[0]).toBe('#!/usr/local/bin/node');
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

describe('the Loom layer refuses', () => {
  it('a missing Node binary, naming it', async () => {
    await expect(
      buildLoomLayer({ entrypoints: [], node: join(dir, 'no-node'), mtime: MTIME, workDir: dir }),
    ).rejects.toThrow(`no Node binary at ${join(dir, 'no-node')}`);
  });

  it('a binary that is not Node 24, with the version it found', async () => {
    const oldNode = join(dir, 'old-node');
    writeFileSync(oldNode, '#!/bin/sh\necho v20.20.2\n');
    chmodSync(oldNode, 0o755);
    await expect(
      buildLoomLayer({ entrypoints: [], node: oldNode, mtime: MTIME, workDir: dir }),
    ).rejects.toThrow(`cannot build the Loom layer: ${oldNode} is not Node 24 (v20.20.2)`);
  });

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

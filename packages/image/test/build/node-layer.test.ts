import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NODE_LAYER_MTIME, nodeLayer, nodeLayerCacheKey } from '../../src/build/node-layer.ts';

let dir = '';
let node = '';
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'loom-image-node-'));
  // A stand-in for the 127 MB Node binary: what is cached and how does not depend on its size.
  node = fakeNode('v24.99.0');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function fakeNode(version: string, name = 'node'): string {
  const file = join(dir, name);
  writeFileSync(file, `#!/bin/sh\necho ${version}\n`);
  chmodSync(file, 0o755);
  return file;
}

const cacheDir = () => join(dir, 'cache');

describe('the Node layer', () => {
  it('holds only /usr/local/bin/node, mode 755, dated by no commit', async () => {
    const layer = await nodeLayer({ node, cacheDir: cacheDir() });
    expect(layer.nodeVersion).toBe('v24.99.0');
    const list = spawnSync('tar', ['--numeric-owner', '--full-time', '-tvzf', layer.file], {
      encoding: 'utf8',
      env: { TZ: 'UTC' },
    });
    const lines = list.stdout.trim().split('\n');
    expect(lines.map((line) => line.split(/\s+/).at(-1))).toEqual([
      'usr/',
      'usr/local/',
      'usr/local/bin/',
      'usr/local/bin/node',
    ]);
    expect(lines.at(-1)).toMatch(/^-rwxr-xr-x 0\/0 +24 1970-01-01 00:00:00 usr\/local\/bin\/node$/);
    expect(NODE_LAYER_MTIME).toBe(0);
  });

  it('is made once, then taken from the cache: the same blob, not compressed again', async () => {
    const progress: string[] = [];
    const first = await nodeLayer({
      node,
      cacheDir: cacheDir(),
      onProgress: (l) => progress.push(l),
    });
    const second = await nodeLayer({
      node,
      cacheDir: cacheDir(),
      onProgress: (l) => progress.push(l),
    });
    expect(first.built).toBe(true);
    expect(second.built).toBe(false);
    expect(second).toEqual({ ...first, built: false });
    expect(progress).toEqual(['compressing Node v24.99.0 into its layer (cached after this)']);
    expect(readdirSync(cacheDir())).toEqual([nodeLayerCacheKey(first.nodeSha256)]);
  });

  it('gives the same blob from an empty cache as from a warm one (cold = warm)', async () => {
    const warm = await nodeLayer({ node, cacheDir: cacheDir() });
    const cold = await nodeLayer({ node, cacheDir: join(dir, 'other-cache') });
    expect(cold.digest).toBe(warm.digest);
    expect(readFileSync(cold.file).equals(readFileSync(warm.file))).toBe(true);
  });

  it('is keyed by the binary: another Node is another layer', async () => {
    const first = await nodeLayer({ node, cacheDir: cacheDir() });
    const other = await nodeLayer({ node: fakeNode('v24.100.0', 'node2'), cacheDir: cacheDir() });
    expect(other.built).toBe(true);
    expect(other.nodeSha256).not.toBe(first.nodeSha256);
    expect(other.digest).not.toBe(first.digest);
    expect(readdirSync(cacheDir()).sort()).toEqual(
      [nodeLayerCacheKey(first.nodeSha256), nodeLayerCacheKey(other.nodeSha256)].sort(),
    );
  });

  it('makes a blob cut short again instead of shipping it', async () => {
    const first = await nodeLayer({ node, cacheDir: cacheDir() });
    truncateSync(first.file, 10);
    const again = await nodeLayer({ node, cacheDir: cacheDir() });
    expect(again.built).toBe(true);
    expect(again.digest).toBe(first.digest);
    expect(statSync(again.file).size).toBe(first.size);
  });
});

describe('the Node layer refuses', () => {
  it('a missing Node binary, naming it', async () => {
    await expect(nodeLayer({ node: join(dir, 'no-node'), cacheDir: cacheDir() })).rejects.toThrow(
      `cannot build the Node layer: no Node binary at ${join(dir, 'no-node')}`,
    );
  });

  it('a binary that is not Node 24, with the version it found, caching nothing', async () => {
    const oldNode = fakeNode('v20.20.2', 'old-node');
    await expect(nodeLayer({ node: oldNode, cacheDir: cacheDir() })).rejects.toThrow(
      `cannot build the Node layer: ${oldNode} is not Node 24 (v20.20.2)`,
    );
    expect(readdirSync(join(cacheDir(), readdirSync(cacheDir())[0]!))).toEqual([]);
  });
});

import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lookupInLayers } from '../../src/container/layered-root.ts';
import { hostPathInRoot } from '../../src/container/root-path.ts';
import type { LayerSource } from '../../src/image/layer-apply.ts';
import type { ArchiveImage } from '../../src/image/oci-archive.ts';
import { openLayer, readImageArchive } from '../../src/image/oci-archive.ts';
import {
  createSnapshotStore,
  defaultSnapshotDir,
  removeFlattenedTrees,
} from '../../src/image/snapshot-store.ts';
import type { TestImage, TestLayer } from './oci-test-archive.ts';
import { writeOciArchive } from './oci-test-archive.ts';
import { twoLayerImage } from './two-layer-image.ts';

const dir = mkdtempSync(join(tmpdir(), 'loom-snapshot-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const isRoot = process.getuid?.() === 0;

function storeIn(stateDir: string) {
  return { dir: defaultSnapshotDir(stateDir), shared: false };
}

function sources(image: ArchiveImage): LayerSource[] {
  return image.layers.map((layer) => ({ ...layer, open: () => openLayer(image, layer) }));
}

async function archiveImage(name: string, image: TestImage = twoLayerImage()) {
  const archive = join(dir, `${name}.tar`);
  writeOciArchive(archive, image);
  return (await readImageArchive(archive))[0]!;
}

const hexOf = (diffId: string) => diffId.slice(7);
// Top first, as overlayfs stacks them.
const lowerDirs = (paths: string[]) => [...paths].reverse();

function file(path: string, text: string): TestLayer {
  return {
    build: (d) => {
      mkdirSync(join(d, path, '..'), { recursive: true });
      writeFileSync(join(d, path), text);
    },
  };
}

describe('snapshot store (one directory per layer, whiteouts in overlayfs form)', () => {
  it('unpacks each layer alone; whiteouts become 0/0 devices, opaque dirs are listed; modes, links, owners stay', async () => {
    const image = await archiveImage('two');
    const store = createSnapshotStore(storeIn(join(dir, 'state')));
    const { paths, unpacked } = await store.ensure(sources(image));
    const [bottom, top] = paths as [string, string];
    expect(unpacked).toEqual(image.layers.map((l) => l.diffId));
    expect(bottom).toBe(join(dir, 'state/images/layers', hexOf(image.layers[0]!.diffId), 'fs'));
    expect(readdirSync(store.dir).sort()).toEqual(image.layers.map((l) => hexOf(l.diffId)).sort());
    // The bottom layer is untouched by the top one's whiteouts.
    expect(readdirSync(join(bottom, 'data')).sort()).toEqual(['gone-dir', 'gone.txt', 'keep.txt']);
    expect(readdirSync(join(top, 'data')).sort()).toEqual(['added.txt', 'gone-dir', 'gone.txt']);
    for (const name of ['gone.txt', 'gone-dir']) {
      const whiteout = lstatSync(join(top, 'data', name));
      expect([whiteout.isCharacterDevice(), whiteout.rdev]).toEqual([true, 0]);
    }
    expect(readdirSync(join(top, 'opaque'))).toEqual(['new.txt']);
    expect(JSON.parse(readFileSync(join(top, '../opaque.json'), 'utf8'))).toEqual(['opaque']);
    expect(readlinkSync(join(bottom, 'link'))).toBe('data/keep.txt');
    expect(lstatSync(join(bottom, 'usr/local/bin/tool')).mode & 0o7777).toBe(0o750);
    const owned = lstatSync(join(bottom, 'home/app/owned.txt'));
    expect(owned.mode & 0o777).toBe(0o600);
    if (isRoot) expect([owned.uid, owned.gid]).toEqual([1000, 1001]);
  });

  it('reads the layers as overlayfs merges them: whiteouts and opaque dirs hide lower files', async () => {
    const image = await archiveImage('merged');
    const store = createSnapshotStore(storeIn(join(dir, 'state-merged')));
    const layers = lowerDirs((await store.ensure(sources(image))).paths);
    const at = (path: string) => lookupInLayers(layers, path)?.hostPath;
    expect(at('/data/gone.txt')).toBeUndefined();
    expect(at('/data/gone-dir/inside.txt')).toBeUndefined();
    expect(at('/opaque/old.txt')).toBeUndefined();
    expect(at('/opaque/new.txt')).toBe(join(layers[0]!, 'opaque/new.txt'));
    expect(at('/data/keep.txt')).toBe(join(layers[1]!, 'data/keep.txt'));
    expect(hostPathInRoot(layers, '/link')).toBe(join(layers[1]!, 'data/keep.txt'));
  });

  it('unpacks a layer two images share once, even when both are loaded at once', async () => {
    const base = { build: twoLayerImage().layers[0]!.build };
    const a = await archiveImage('share-a', { layers: [base, file('a.txt', 'a')] });
    const b = await archiveImage('share-b', { layers: [base, file('b.txt', 'b')] });
    expect(a.layers[0]!.diffId).toBe(b.layers[0]!.diffId);
    const store = createSnapshotStore(storeIn(join(dir, 'state-share')));
    const [ra, rb] = await Promise.all([store.ensure(sources(a)), store.ensure(sources(b))]);
    expect(ra!.paths[0]).toBe(rb!.paths[0]);
    expect([...ra!.unpacked, ...rb!.unpacked].sort()).toEqual(
      [a.layers[0]!.diffId, a.layers[1]!.diffId, b.layers[1]!.diffId].sort(),
    );
    expect(readdirSync(store.dir)).toHaveLength(3);
  });

  it("unpacks only the changed top layer of a rebuilt image (Loom's code change)", async () => {
    const debian = file('etc/debian_version', '12.9\n');
    const node = file('usr/local/bin/node', 'node 24\n');
    const v1 = await archiveImage('v1', { layers: [debian, node, file('opt/loom/bin/x', 'v1')] });
    const v2 = await archiveImage('v2', { layers: [debian, node, file('opt/loom/bin/x', 'v2')] });
    const store = createSnapshotStore(storeIn(join(dir, 'state-rebuild')));
    await store.ensure(sources(v1));
    const inode = lstatSync(store.pathOf(v1.layers[1]!.diffId)).ino;
    const { paths, unpacked } = await store.ensure(sources(v2));
    expect(unpacked).toEqual([v2.layers[2]!.diffId]);
    expect(lstatSync(paths[1]!).ino).toBe(inode);
    expect(readFileSync(hostPathInRoot(lowerDirs(paths), '/opt/loom/bin/x')!, 'utf8')).toBe('v2');
  });

  it('unpacks a layer once: a second ensure (another start) finds it and marks it used', async () => {
    const image = await archiveImage('again');
    const store = createSnapshotStore(storeIn(join(dir, 'state-again')));
    await store.ensure(sources(image));
    const diffId = image.layers[0]!.diffId;
    const inode = lstatSync(store.pathOf(diffId)).ino;
    const layerDir = join(store.dir, hexOf(diffId));
    const longAgo = new Date(Date.now() - 30 * 86_400_000);
    const { utimesSync } = await import('node:fs');
    utimesSync(layerDir, longAgo, longAgo);
    const restarted = createSnapshotStore(storeIn(join(dir, 'state-again')));
    const second = await restarted.ensure(sources(image));
    expect(second.unpacked).toEqual([]);
    expect(lstatSync(second.paths[0]!).ino).toBe(inode);
    expect(Date.now() - lstatSync(layerDir).mtimeMs).toBeLessThan(60_000);
  });

  it.each(['gnu', 'pax'] as const)(
    'writes a whiteout of a name over 100 bytes (%s long names)',
    async (format) => {
      const deep = `${'d'.repeat(60)}/${'e'.repeat(60)}`;
      const long = `${'f'.repeat(40)}.txt`;
      const image = await archiveImage(`long-${format}`, {
        layers: [
          file(`${deep}/${long}`, 'x'),
          {
            format,
            build: (d) => {
              mkdirSync(join(d, deep), { recursive: true });
              writeFileSync(join(d, deep, `.wh.${long}`), '');
            },
          },
        ],
      });
      const store = createSnapshotStore(storeIn(join(dir, `state-long-${format}`)));
      const { paths } = await store.ensure(sources(image));
      const whiteout = lstatSync(join(paths[1]!, deep, long));
      expect([whiteout.isCharacterDevice(), whiteout.rdev]).toEqual([true, 0]);
      expect(lookupInLayers(lowerDirs(paths), `/${deep}/${long}`)).toBeUndefined();
    },
  );

  it('removes a half-built layer left by a crash at the next start, and never uses it', () => {
    const state = join(dir, 'state-crash');
    mkdirSync(join(defaultSnapshotDir(state), '.tmp-abc-1234/fs/etc'), { recursive: true });
    const store = createSnapshotStore(storeIn(state));
    expect(readdirSync(store.dir)).toEqual([]);
    expect(store.list()).toEqual([]);
  });

  it('shares a directory between runtimes: both ensure at once, the layers are whole, never removed', async () => {
    const image = await archiveImage('shared');
    const shared = join(dir, 'shared-store');
    const [a, b] = [0, 1].map(() => createSnapshotStore({ dir: shared, shared: true }));
    const results = await Promise.all([a!, b!].map((s) => s.ensure(sources(image))));
    expect(results[0]!.paths).toEqual(results[1]!.paths);
    expect(readdirSync(join(results[0]!.paths[1]!, 'opaque'))).toEqual(['new.txt']);
    expect(a!.remove(image.layers[0]!.diffId)).toBe(false);
    expect(readdirSync(shared)).toHaveLength(2);
  });

  it("keeps a build in progress of a live process, removes a dead one's", () => {
    const shared = join(dir, 'shared-temps');
    mkdirSync(join(shared, `.tmp-abc-${process.pid}-1a2b`), { recursive: true });
    mkdirSync(join(shared, '.tmp-abc-999999999-1a2b'), { recursive: true });
    createSnapshotStore({ dir: shared, shared: true });
    expect(readdirSync(shared)).toEqual([`.tmp-abc-${process.pid}-1a2b`]);
  });

  it('removes a layer of its own store (out of its name first)', async () => {
    const image = await archiveImage('remove');
    const store = createSnapshotStore(storeIn(join(dir, 'state-remove')));
    await store.ensure(sources(image));
    expect(store.remove(image.layers[1]!.diffId)).toBe(true);
    expect(store.list()).toEqual([image.layers[0]!.diffId]);
    expect(readdirSync(store.dir)).toEqual([hexOf(image.layers[0]!.diffId)]);
  });

  it('rejects a layer whose diff_id does not match, leaving nothing of it behind', async () => {
    const image = await archiveImage('bad-diff');
    const store = createSnapshotStore(storeIn(join(dir, 'state-bad')));
    const layers = sources(image);
    layers[1] = { ...layers[1]!, diffId: `sha256:${'0'.repeat(64)}` };
    await expect(store.ensure(layers)).rejects.toThrow(
      /unpacks to sha256:[0-9a-f]{64}, not the diff_id sha256:0{64}/,
    );
    expect(readdirSync(store.dir)).toEqual([hexOf(image.layers[0]!.diffId)]);
  });

  it('writes an entry below a symlink of a lower layer into its own layer, never through it', async () => {
    const outside = join(dir, 'outside');
    mkdirSync(outside);
    const image = await archiveImage('escape', {
      layers: [
        { build: (d) => symlinkSync(outside, join(d, 'escape')) },
        {
          // Only the file, not its directory: tar then makes the directory itself.
          members: ['escape/pwned'],
          build: (d) => {
            mkdirSync(join(d, 'escape'));
            writeFileSync(join(d, 'escape/pwned'), 'x');
          },
        },
      ],
    });
    const store = createSnapshotStore(storeIn(join(dir, 'state-escape')));
    const { paths } = await store.ensure(sources(image));
    expect(readdirSync(outside)).toEqual([]);
    // overlayfs shows the upper directory; the lower symlink is hidden.
    expect(lookupInLayers(lowerDirs(paths), '/escape')?.stats.isDirectory()).toBe(true);
    expect(readFileSync(join(paths[1]!, 'escape/pwned'), 'utf8')).toBe('x');
  });

  it('refuses a whiteout below a symlink of its own layer (tar would follow it out of the tree)', async () => {
    const outside = join(dir, 'outside-whiteout');
    const decoy = join(dir, 'decoy');
    mkdirSync(outside);
    mkdirSync(decoy);
    writeFileSync(join(decoy, '.wh.passwd'), '');
    const image = await archiveImage('whiteout-escape', {
      layers: [
        file('etc/passwd', 'root:x:0:0::/:/bin/sh\n'),
        {
          members: ['d/.wh.passwd', 'd'],
          build: (d) => symlinkSync(decoy, join(d, 'd')),
        },
      ],
    });
    // The archive's `d` points at `outside` once unpacked: rewrite nothing, just check.
    const store = createSnapshotStore(storeIn(join(dir, 'state-whiteout-escape')));
    await expect(store.ensure(sources(image))).rejects.toThrow(
      /has a whiteout below "d", which is not a directory of the layer/,
    );
    expect(readdirSync(decoy)).toEqual(['.wh.passwd']);
    expect(readdirSync(store.dir)).toEqual([hexOf(image.layers[0]!.diffId)]);
  });

  it('removes the flattened trees of the store before, unless a container stands on one', () => {
    const state = join(dir, 'state-legacy');
    mkdirSync(join(state, 'images/snapshots', hexOf(`sha256:${'a'.repeat(64)}`), 'etc'), {
      recursive: true,
    });
    expect(removeFlattenedTrees(state, true)).toBe(false);
    expect(readdirSync(join(state, 'images'))).toEqual(['snapshots']);
    expect(removeFlattenedTrees(state, false)).toBe(true);
    expect(readdirSync(join(state, 'images'))).toEqual([]);
    expect(removeFlattenedTrees(state, false)).toBe(false);
  });
});

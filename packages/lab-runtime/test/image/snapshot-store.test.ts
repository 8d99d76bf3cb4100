import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { LayerSource } from '../../src/image/layer-apply.ts';
import type { ArchiveImage } from '../../src/image/oci-archive.ts';
import { openLayer, readImageArchive } from '../../src/image/oci-archive.ts';
import { createSnapshotStore, defaultSnapshotDir } from '../../src/image/snapshot-store.ts';
import { writeOciArchive } from './oci-test-archive.ts';
import { twoLayerImage } from './two-layer-image.ts';

const dir = mkdtempSync(join(tmpdir(), 'loom-snapshot-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function storeIn(stateDir: string) {
  return { dir: defaultSnapshotDir(stateDir), shared: false };
}

function sources(image: ArchiveImage): LayerSource[] {
  return image.layers.map((layer) => ({ ...layer, open: () => openLayer(image, layer) }));
}

async function archiveImage(name: string, image = twoLayerImage()) {
  const archive = join(dir, `${name}.tar`);
  writeOciArchive(archive, image);
  return (await readImageArchive(archive))[0]!;
}

describe('snapshot store (layers applied in order, OCI whiteouts)', () => {
  it('flattens two layers: whiteouts remove, an opaque dir hides the lower, modes/links/owners stay', async () => {
    const image = await archiveImage('two');
    const store = createSnapshotStore(storeIn(join(dir, 'state')));
    const { path, unpacked } = await store.ensure(image.chainId, sources(image));
    expect(unpacked).toBe(true);
    expect(path).toBe(join(dir, 'state/images/snapshots', image.chainId.slice(7)));
    expect(readdirSync(join(path, 'data')).sort()).toEqual(['added.txt', 'keep.txt']);
    expect(readdirSync(join(path, 'opaque'))).toEqual(['new.txt']);
    expect(readlinkSync(join(path, 'link'))).toBe('data/keep.txt');
    expect(lstatSync(join(path, 'usr/local/bin/tool')).mode & 0o7777).toBe(0o750);
    const owned = lstatSync(join(path, 'home/app/owned.txt'));
    expect(owned.mode & 0o777).toBe(0o600);
    if (process.getuid?.() === 0) expect([owned.uid, owned.gid]).toEqual([1000, 1001]);
    expect(readdirSync(store.dir)).toEqual([image.chainId.slice(7)]);
  });

  it('unpacks a chain once: a second ensure (another start) finds the tree', async () => {
    const image = await archiveImage('again');
    const store = createSnapshotStore(storeIn(join(dir, 'state-again')));
    await store.ensure(image.chainId, sources(image));
    const inode = lstatSync(store.pathOf(image.chainId)).ino;
    const restarted = createSnapshotStore(storeIn(join(dir, 'state-again')));
    const second = await restarted.ensure(image.chainId, sources(image));
    expect(second.unpacked).toBe(false);
    expect(lstatSync(second.path).ino).toBe(inode);
  });

  it.each(['gnu', 'pax'] as const)(
    'applies a whiteout of a name over 100 bytes (%s long names)',
    async (format) => {
      const deep = `${'d'.repeat(60)}/${'e'.repeat(60)}`;
      const image = await archiveImage(`long-${format}`, {
        layers: [
          {
            build: (d) => {
              mkdirSync(join(d, deep), { recursive: true });
              writeFileSync(join(d, deep, `${'f'.repeat(40)}.txt`), 'x');
              writeFileSync(join(d, deep, 'stays.txt'), 'y');
            },
          },
          {
            format,
            build: (d) => {
              mkdirSync(join(d, deep), { recursive: true });
              writeFileSync(join(d, deep, `.wh.${'f'.repeat(40)}.txt`), '');
            },
          },
        ],
      });
      const store = createSnapshotStore(storeIn(join(dir, `state-long-${format}`)));
      const { path } = await store.ensure(image.chainId, sources(image));
      expect(readdirSync(join(path, deep))).toEqual(['stays.txt']);
    },
  );

  it('removes a half-built tree left by a crash at the next start, and never uses it', () => {
    const state = join(dir, 'state-crash');
    const snapshots = join(state, 'images/snapshots');
    mkdirSync(join(snapshots, '.tmp-abc-1234/etc'), { recursive: true });
    const store = createSnapshotStore(storeIn(state));
    expect(readdirSync(store.dir)).toEqual([]);
    expect(store.list()).toEqual([]);
  });

  it('shares a directory between runtimes: both ensure at once, the tree is whole, never removed', async () => {
    const image = await archiveImage('shared');
    const shared = join(dir, 'shared-store');
    const [a, b] = [0, 1].map(() => createSnapshotStore({ dir: shared, shared: true }));
    const results = await Promise.all([a!, b!].map((s) => s.ensure(image.chainId, sources(image))));
    expect(results.every((r) => r.path === join(shared, image.chainId.slice(7)))).toBe(true);
    expect(readdirSync(join(results[0]!.path, 'opaque'))).toEqual(['new.txt']);
    expect(a!.remove(image.chainId)).toBe(false);
    expect(readdirSync(shared)).toEqual([image.chainId.slice(7)]);
  });

  it("keeps a build in progress of a live process, removes a dead one's", () => {
    const shared = join(dir, 'shared-temps');
    mkdirSync(join(shared, `.tmp-abc-${process.pid}-1a2b`), { recursive: true });
    mkdirSync(join(shared, '.tmp-abc-999999999-1a2b'), { recursive: true });
    createSnapshotStore({ dir: shared, shared: true });
    expect(readdirSync(shared)).toEqual([`.tmp-abc-${process.pid}-1a2b`]);
  });

  it('rejects a layer whose diff_id does not match, leaving nothing behind', async () => {
    const image = await archiveImage('bad-diff');
    const store = createSnapshotStore(storeIn(join(dir, 'state-bad')));
    const layers = sources(image);
    layers[1] = { ...layers[1]!, diffId: `sha256:${'0'.repeat(64)}` };
    await expect(store.ensure(image.chainId, layers)).rejects.toThrow(
      /unpacks to sha256:[0-9a-f]{64}, not the diff_id sha256:0{64}/,
    );
    expect(readdirSync(store.dir)).toEqual([]);
  });

  it('refuses an entry below a symlink of a lower layer (it would be written outside the tree)', async () => {
    const outside = join(dir, 'outside');
    mkdirSync(outside);
    const image = await archiveImage('escape', {
      layers: [
        { build: (d) => symlinkSync(outside, join(d, 'escape')) },
        {
          // Only the file, not its directory: tar then writes through whatever `escape` is.
          members: ['escape/pwned'],
          build: (d) => {
            mkdirSync(join(d, 'escape'));
            writeFileSync(join(d, 'escape/pwned'), 'x');
          },
        },
      ],
    });
    const store = createSnapshotStore(storeIn(join(dir, 'state-escape')));
    await expect(store.ensure(image.chainId, sources(image))).rejects.toThrow(
      /has entry "escape\/pwned" below "escape", a symlink in a lower layer/,
    );
    expect(readdirSync(outside)).toEqual([]);
    expect(readdirSync(store.dir)).toEqual([]);
  });
});

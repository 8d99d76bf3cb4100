// ensureImage as `loom lab up` calls it, on a layer cache made here: a small stand-in root
// filesystem (mmdebstrap is the kernel tier's), a stand-in Node, and a local HTTP "mirror"
// that counts the requests it gets.
import {
  chmodSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ensureImage, ensureImageBuild } from '../../src/build/ensure-image.ts';
import { cachedLayer } from '../../src/build/layer-cache.ts';
import { ROOTFS_SUITE, rootfsCacheKey } from '../../src/build/rootfs.ts';
import { readOciArchive } from '../../src/oci/archive-reader.ts';
import { writeLayerFromEntries } from '../../src/oci/layer.ts';
import { ociArchitecture } from '../../src/oci/platform.ts';

const repoRoot = join(import.meta.dirname, '..', '..', '..', '..');
const RELEASE_DATE = 1_783_764_997;
const COMMIT_TIME = '1764633600';

let dir = '';
let mirror: Server;
let mirrorUrl = '';
let requests: string[] = [];
let options: Parameters<typeof ensureImage>[0];

beforeAll(async () => {
  mirror = createServer((request, response) => {
    requests.push(request.url ?? '');
    response.end(`Origin: Debian\nDate: ${new Date(RELEASE_DATE * 1000).toUTCString()}\n`);
  });
  await new Promise<void>((resolve) => mirror.listen(0, '127.0.0.1', resolve));
  mirrorUrl = `http://127.0.0.1:${(mirror.address() as AddressInfo).port}/debian`;
});
afterAll(() => new Promise((resolve) => mirror.close(resolve)));

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'loom-image-ensure-'));
  requests = [];
  const node = join(dir, 'node');
  writeFileSync(node, '#!/bin/sh\necho v24.99.0\n');
  chmodSync(node, 0o755);
  options = {
    repoRoot,
    outputDir: join(dir, 'out'),
    cacheDir: join(dir, 'cache'),
    mirror: mirrorUrl,
    node,
    env: { SOURCE_DATE_EPOCH: COMMIT_TIME },
  };
  return () => rmSync(dir, { recursive: true, force: true });
});

/** A root filesystem in the cache, as a finished mmdebstrap build leaves one. */
async function cacheRootfs(): Promise<void> {
  const key = rootfsCacheKey({
    suite: ROOTFS_SUITE,
    architecture: ociArchitecture(),
    releaseDate: RELEASE_DATE,
  });
  await cachedLayer(join(dir, 'cache', key), 'rootfs.tar.gz', (partial) =>
    writeLayerFromEntries(
      [{ type: 'file', path: 'etc/debian_version', mode: 0o644, source: Buffer.from('12.13\n') }],
      { mtime: RELEASE_DATE },
      partial,
    ),
  );
}

const archiveFile = () => join(dir, 'out', 'loom.oci.tar');
const inode = (file: string) => {
  const { ino, mtimeMs } = statSync(file);
  return { ino, mtimeMs };
};

describe('ensureImage', () => {
  it('writes the archive once, then keeps it, asking the mirror nothing', async () => {
    await cacheRootfs();
    const first = await ensureImage(options);
    const written = inode(archiveFile());
    const second = await ensureImageBuild(options);
    expect(second.wroteArchive).toBe(false);
    expect(second.description).toEqual(first);
    expect(inode(archiveFile())).toEqual(written);
    expect(JSON.parse(readFileSync(join(dir, 'out', 'loom.json'), 'utf8'))).toEqual(first);
    expect((await readOciArchive(archiveFile())).manifestDescriptor.digest).toBe(first.digest);
    expect(first.layers).toHaveLength(3);
    expect(requests).toEqual([]);
  }, 30_000);

  it('on a new commit changes only the Loom layer: root filesystem and Node stay as they were', async () => {
    await cacheRootfs();
    const before = await ensureImage(options);
    const after = await ensureImageBuild({ ...options, env: { SOURCE_DATE_EPOCH: '1764720000' } });
    expect(after.wroteArchive).toBe(true);
    expect(after.node.built).toBe(false);
    expect(after.description.digest).not.toBe(before.digest);
    expect(after.description.layers.slice(0, 2)).toEqual(before.layers.slice(0, 2));
    expect(after.description.layers[2]!.digest).not.toBe(before.layers[2]!.digest);
  }, 30_000);

  it('writes an archive cut short again', async () => {
    await cacheRootfs();
    const first = await ensureImage(options);
    const whole = statSync(archiveFile()).size;
    truncateSync(archiveFile(), Math.floor(whole / 2));
    const again = await ensureImageBuild(options);
    expect(again.wroteArchive).toBe(true);
    expect(again.description).toEqual(first);
    expect(statSync(archiveFile()).size).toBe(whole);
  }, 30_000);

  it('asks the mirror when told to (rootfs: latest), and takes the cache at its state', async () => {
    await cacheRootfs();
    const built = await ensureImageBuild({ ...options, rootfs: 'latest' });
    expect(requests).toEqual([`/debian/dists/${ROOTFS_SUITE}/InRelease`]);
    expect(built.rootfs.built).toBe(false);
  }, 30_000);
});

describe('ensureImage without a usable root filesystem', () => {
  it('offline, with nothing cached: says so, asking the mirror nothing', async () => {
    await expect(ensureImage({ ...options, rootfs: 'offline' })).rejects.toThrow(
      `offline: no cached ${ROOTFS_SUITE} root filesystem for ${ociArchitecture()}; build once with network`,
    );
    expect(requests).toEqual([]);
  }, 30_000);

  it('cached, with nothing cached and the mirror unreachable: names the mirror URL', async () => {
    const closed = 'http://127.0.0.1:9/debian';
    await expect(ensureImage({ ...options, mirror: closed })).rejects.toThrow(
      `cannot read ${closed}/dists/${ROOTFS_SUITE}/InRelease: fetch failed`,
    );
  }, 30_000);

  it('latest, with the mirror unreachable but a cached one: points at --offline', async () => {
    await cacheRootfs();
    await expect(
      ensureImage({ ...options, rootfs: 'latest', mirror: 'http://127.0.0.1:9/debian' }),
    ).rejects.toThrow(
      /fetch failed \(a cached root filesystem exists: --offline builds with it without asking the mirror\)$/,
    );
  }, 30_000);
});

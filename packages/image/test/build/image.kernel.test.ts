// The whole image, built as `npm run image` builds it (mmdebstrap needs root: kernel tier),
// twice into one fresh layer cache, the Node layer compressed the first time and taken from
// the cache the second: the same digest both times. Then run from its layers unpacked into a directory: the
// tools answer and the bundles start under the image's own Node, with chroot (no network
// namespace, no network: nothing outside the directory is touched). The root filesystem comes
// from the user's cache (~/.cache/loom/image), linked into the fresh one: ~30 s the first time,
// then a few seconds.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, delimiter, dirname, join } from 'node:path';
import { findExecutable } from '@loom-net/core/kernel';
import { skipOrFailInCi } from '@loom-net/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildImage, type ImageBuild } from '../../src/build/build-image.ts';
import { rootfsLayer } from '../../src/build/rootfs.ts';
import { chooseRootfs } from '../../src/build/rootfs-policy.ts';
import {
  type OciArchiveContents,
  readOciArchive,
  verifyBlob,
} from '../../src/oci/archive-reader.ts';
import { ociArchitecture } from '../../src/oci/platform.ts';

const repoRoot = join(import.meta.dirname, '..', '..', '..', '..');
const IMAGE_PATH = '/opt/loom/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

function missing(): string | undefined {
  if (process.getuid?.() !== 0) return 'the image build test needs root (mmdebstrap, chroot)';
  if (!findExecutable('mmdebstrap', (process.env.PATH ?? '').split(delimiter)))
    return 'the image build test needs mmdebstrap on PATH (Debian: apt-get install mmdebstrap)';
  return undefined;
}

describe.skipIf(skipOrFailInCi(missing()) !== undefined)('npm run image', () => {
  let dir = '';
  let first: ImageBuild;
  let second: ImageBuild;
  let read: OciArchiveContents;
  let root = '';
  const env = { ...process.env, SOURCE_DATE_EPOCH: '1764633600' };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'loom-image-build-'));
    // The user's cached root filesystem (made now if there is none) in a layer cache of the
    // test's own, which holds no Node layer yet.
    const cached = await chooseRootfs({ policy: 'cached', architecture: ociArchitecture() });
    const cacheDir = join(dir, 'layer-cache');
    mkdirSync(cacheDir);
    symlinkSync(dirname(cached.file), join(cacheDir, basename(dirname(cached.file))));
    const build = (out: string) =>
      buildImage({ repoRoot, outputDir: join(dir, out), env, cacheDir, rootfs: 'cached' });
    first = await build('one');
    second = await build('two');
    read = await readOciArchive(first.description.archive);
    root = join(dir, 'root');
    mkdirSync(root);
    for (const layer of read.layers) {
      const blob = join(dir, 'one', 'blobs', ...layer.digest.split(':'));
      const untar = spawnSync('tar', [
        '-xf',
        first.description.archive,
        '-C',
        join(dir, 'one'),
        `blobs/sha256/${layer.digest.slice(7)}`,
      ]);
      expect(untar.status, String(untar.stderr)).toBe(0);
      const unpack = spawnSync('tar', ['-xzf', blob, '-C', root, '--numeric-owner']);
      expect(unpack.status, String(unpack.stderr)).toBe(0);
    }
  }, 180_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('gives the same digest when built twice, Node compressed once and then taken from the cache', () => {
    expect([first.node.built, second.node.built]).toEqual([true, false]);
    expect(second.description.digest).toBe(first.description.digest);
    expect(second.description.layers).toEqual(first.description.layers);
  });

  it('has three layers: the root filesystem, Node alone, the bundles alone', () => {
    const listing = (i: number) => {
      const blob = join(dir, 'one', 'blobs', 'sha256', read.layers[i]!.digest.slice(7));
      const list = spawnSync('tar', ['-tzf', blob], { encoding: 'utf8' });
      return list.stdout.trim().split('\n');
    };
    expect(read.layers).toHaveLength(3);
    expect(listing(0)).toContain('./usr/sbin/nft');
    expect(listing(1)).toEqual(['usr/', 'usr/local/', 'usr/local/bin/', 'usr/local/bin/node']);
    expect(listing(2).filter((path) => !path.endsWith('/'))).toEqual(
      first.loom.bundles.map((bundle) => bundle.path.slice(1)).sort(),
    );
    expect(read.config.history?.map((h) => h.comment)).toEqual([
      'Debian root filesystem',
      'Node 24',
      'the Loom bundles',
    ]);
  });

  it('is a valid archive: every blob matches its digest, every layer its diff_id', async () => {
    expect(read.reference).toBe(first.description.reference);
    expect(read.manifestDescriptor.digest).toBe(first.description.digest);
    await verifyBlob(first.description.archive, read.configBlob);
    for (const layer of read.layers) await verifyBlob(first.description.archive, layer);
    expect(read.config.config).toEqual({
      Env: [`PATH=${IMAGE_PATH}`],
      Cmd: ['loom-route-agent', '--help'],
      WorkingDir: '/',
    });
    expect(read.config.architecture).toBe(process.arch === 'arm64' ? 'arm64' : 'amd64');
  });

  const inImage = (...argv: string[]) =>
    spawnSync('chroot', [root, ...argv], {
      encoding: 'utf8',
      env: { PATH: IMAGE_PATH },
    });

  it.each([
    ['ip', '-V'],
    ['bridge', '-V'],
    ['nft', '--version'],
    ['conntrack', '--version'],
    ['sysctl', '--version'],
  ])('has %s', (tool, flag) => {
    const run = inImage(tool, flag);
    expect(run.status, run.stderr).toBe(0);
  });

  it('says why when mmdebstrap fails, with its last lines', async () => {
    await expect(
      rootfsLayer({
        suite: 'bookworm',
        mirror: 'file:///nonexistent/debian',
        architecture: read.config.architecture,
        releaseDate: 1,
        cacheDir: join(dir, 'cache'),
      }),
    ).rejects.toThrow(
      /^mmdebstrap failed \(exit \d+\) building the image root filesystem:\n(.|\n)*apt-get update/,
    );
    // nothing half-made is left to be taken for a cached root filesystem
    expect(readdirSync(join(dir, 'cache', readdirSync(join(dir, 'cache'))[0]!))).toEqual([]);
  });

  it("runs Loom's commands on its own Node 24", () => {
    const pinned = JSON.parse(
      readFileSync(join(repoRoot, 'node_modules/node/package.json'), 'utf8'),
    );
    const version = inImage('node', '--version');
    expect(version.stdout.trim(), version.stderr).toBe(`v${pinned.version}`);
    const agent = inImage('loom-route-agent', '--help');
    expect(agent.status, agent.stderr).toBe(0);
    const cni = spawnSync('chroot', [root, 'loom-cni'], {
      input: '{"cniVersion":"1.1.0"}',
      env: { PATH: IMAGE_PATH, CNI_COMMAND: 'VERSION' },
      encoding: 'utf8',
    });
    expect(cni.status, cni.stderr).toBe(0);
    expect(JSON.parse(cni.stdout).cniVersion).toBe('1.1.0');
  });
});

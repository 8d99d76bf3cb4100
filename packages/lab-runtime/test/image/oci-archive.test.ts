import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { chainIdOf, readImageArchive } from '../../src/image/oci-archive.ts';
import {
  tarLayout,
  writeDockerSaveArchive,
  writeOciArchive,
  writeOciLayout,
} from './oci-test-archive.ts';
import { TEST_IMAGE_NAME, twoLayerImage } from './two-layer-image.ts';

const dir = mkdtempSync(join(tmpdir(), 'loom-archive-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A layout written, changed by `breakIt`, then tarred. */
function brokenArchive(
  name: string,
  breakIt: (layout: string, written: ReturnType<typeof writeOciLayout>) => void,
) {
  const layout = join(dir, `${name}-layout`);
  const written = writeOciLayout(layout, twoLayerImage());
  breakIt(layout, written);
  const archive = join(dir, `${name}.tar`);
  tarLayout(layout, archive);
  return archive;
}

describe('readImageArchive', () => {
  it('reads an OCI archive: names, ids, layers with their diff ids, size, chain id, config', async () => {
    const archive = join(dir, 'good.tar');
    const written = writeOciArchive(
      archive,
      twoLayerImage({ refName: '1.0', dockerRepoTags: ['example.org/other:2'] }),
    );
    const [image, ...rest] = await readImageArchive(archive);
    expect(rest).toEqual([]);
    expect(image).toMatchObject({
      archive,
      id: written.configDigest,
      manifestDigest: written.manifestDigest,
      names: [TEST_IMAGE_NAME, 'example.org/other:2'],
      chainId: chainIdOf(written.layers.map((l) => l.diffId)),
      size: written.layers[0]!.size + written.layers[1]!.size,
    });
    expect(image!.layers.map((l) => [l.digest, l.diffId, l.compression])).toEqual(
      written.layers.map((l) => [l.digest, l.diffId, 'gzip']),
    );
    expect(image!.config.process).toMatchObject({
      user: 'app',
      workingDir: '/work',
      stopSignal: 'SIGINT',
    });
  });

  it('takes a tag-only ref.name with the repository of the containerd name, and a full one as is', async () => {
    const tagOnly = join(dir, 'tag.tar');
    writeOciArchive(tagOnly, twoLayerImage({ name: 'example.org/a/b:1', refName: '2' }));
    expect((await readImageArchive(tagOnly))[0]!.names).toEqual([
      'example.org/a/b:1',
      'example.org/a/b:2',
    ]);
    const full = join(dir, 'full.tar');
    writeOciArchive(full, twoLayerImage({ name: undefined, refName: 'busybox:9' }));
    expect((await readImageArchive(full))[0]!.names).toEqual(['docker.io/library/busybox:9']);
  });

  it.each([
    { format: 'pax', members: ['.'] },
    { format: 'ustar', members: ['.'] },
  ])('reads a layout tarred as "./…" in $format format', async ({ format, members }) => {
    const layout = join(dir, `dot-${format}`);
    const written = writeOciLayout(layout, twoLayerImage());
    const archive = join(dir, `dot-${format}.tar`);
    execFileSync('tar', ['-C', layout, `--format=${format}`, '-cf', archive, ...members]);
    const [image] = await readImageArchive(archive);
    expect(image).toMatchObject({ id: written.configDigest, names: [TEST_IMAGE_NAME] });
  });

  it('reads a docker save archive (uncompressed layer.tar files, RepoTags)', async () => {
    const archive = join(dir, 'saved.tar');
    const written = writeDockerSaveArchive(
      archive,
      twoLayerImage({ dockerRepoTags: ['example.org/saved:3'] }),
    );
    const [image] = await readImageArchive(archive);
    expect(image).toMatchObject({ id: written.configDigest, names: ['example.org/saved:3'] });
    expect(image!.layers.map((l) => l.compression)).toEqual(['none', 'none']);
    expect(image!.manifestDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it.each([
    {
      name: 'a missing blob',
      file: 'missing',
      breakIt: (layout: string, w: ReturnType<typeof writeOciLayout>) =>
        rmSync(join(layout, 'blobs/sha256', w.layers[1]!.digest.slice(7))),
      error: /missing\.tar: .*layer 1 blob sha256:[0-9a-f]{64} is missing/,
    },
    {
      name: 'a digest mismatch',
      file: 'mismatch',
      breakIt: (layout: string, w: ReturnType<typeof writeOciLayout>) =>
        writeFileSync(join(layout, 'blobs/sha256', w.layers[0]!.digest.slice(7)), 'tampered'),
      error: /mismatch\.tar: blob blobs\/sha256\/[0-9a-f]{64} does not match its digest/,
    },
    {
      name: 'an unsupported media type',
      file: 'media-type',
      breakIt: (layout: string, w: ReturnType<typeof writeOciLayout>) => {
        const path = join(layout, 'blobs/sha256', w.manifestDigest.slice(7));
        const manifest = JSON.parse(readFileSync(path, 'utf8'));
        manifest.layers[0].mediaType = 'application/vnd.example.layer.v1.tar+lz4';
        const text = JSON.stringify(manifest);
        rmSync(path);
        const hex = createHash('sha256').update(text).digest('hex');
        writeFileSync(join(layout, 'blobs/sha256', hex), text);
        const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8'));
        index.manifests[0].digest = `sha256:${hex}`;
        index.manifests[0].size = text.length;
        writeFileSync(join(layout, 'index.json'), JSON.stringify(index));
      },
      error:
        /media-type\.tar: .*unsupported media type application\/vnd\.example\.layer\.v1\.tar\+lz4/,
    },
    {
      name: 'no index.json nor manifest.json',
      file: 'no-index',
      breakIt: (layout: string) => rmSync(join(layout, 'index.json')),
      error: /no-index\.tar: it has neither index\.json .* nor manifest\.json/,
    },
  ])('fails on $name, naming the file', async ({ file, breakIt, error }) => {
    const archive = brokenArchive(file, breakIt);
    await expect(readImageArchive(archive)).rejects.toThrow(error);
  });

  it('fails on a file that is not a tar, or not there, naming it', async () => {
    const notTar = join(dir, 'not-a-tar.tar');
    writeFileSync(notTar, 'this is not a tar archive\n'.repeat(40));
    await expect(readImageArchive(notTar)).rejects.toThrow(
      /image archive .*not-a-tar\.tar: not a tar archive/,
    );
    await expect(readImageArchive(join(dir, 'absent.tar'))).rejects.toThrow(
      /cannot read image archive .*absent\.tar: ENOENT/,
    );
  });
});

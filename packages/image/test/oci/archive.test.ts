import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBlob, readOciArchive, verifyBlob } from '../../src/oci/archive-reader.ts';
import { type OciArchive, writeOciArchive } from '../../src/oci/archive-writer.ts';
import { writeLayerFromEntries } from '../../src/oci/layer.ts';
import { ANNOTATION, MEDIA_TYPE } from '../../src/oci/media-types.ts';

const CREATED = 1_700_000_000;
const REFERENCE = 'ghcr.io/loom-net/loom:0.1.0';
const sha256 = (bytes: Uint8Array) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

let dir = '';
let archive: OciArchive;
let unpacked = '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'loom-image-archive-'));
  const opts = { mtime: CREATED };
  const base = await writeLayerFromEntries(
    [{ type: 'file', path: 'etc/os-release', mode: 0o644, source: Buffer.from('ID=debian\n') }],
    opts,
    join(dir, 'base.tar.gz'),
  );
  const top = await writeLayerFromEntries(
    [
      {
        type: 'file',
        path: 'opt/loom/bin/hello',
        mode: 0o755,
        source: Buffer.from('#!/bin/sh\necho hi\n'),
      },
    ],
    opts,
    join(dir, 'top.tar.gz'),
  );
  archive = await writeOciArchive({
    output: join(dir, 'image.oci.tar'),
    reference: REFERENCE,
    created: CREATED,
    architecture: 'amd64',
    defaults: { Env: ['PATH=/opt/loom/bin:/usr/bin'], Cmd: ['hello'], WorkingDir: '/' },
    layers: [
      { ...base, createdBy: 'base' },
      { ...top, createdBy: 'top', comment: 'the program' },
    ],
  });
  unpacked = join(dir, 'unpacked');
  mkdirSync(unpacked);
  const tar = spawnSync('tar', ['-xf', archive.file, '-C', unpacked], { encoding: 'utf8' });
  if (tar.status !== 0) throw new Error(tar.stderr);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const json = (path: string) => JSON.parse(readFileSync(join(unpacked, path), 'utf8'));
const blob = (digest: string) => readFileSync(join(unpacked, 'blobs', ...digest.split(':')));

describe('an OCI archive, unpacked by GNU tar', () => {
  it('is an image layout: oci-layout, index.json naming the image, blobs by digest', () => {
    expect(json('oci-layout')).toEqual({ imageLayoutVersion: '1.0.0' });
    const index = json('index.json');
    expect(index).toEqual({
      schemaVersion: 2,
      mediaType: MEDIA_TYPE.index,
      manifests: [
        {
          mediaType: MEDIA_TYPE.manifest,
          digest: archive.digest,
          size: blob(archive.digest).length,
          annotations: {
            [ANNOTATION.containerdImageName]: REFERENCE,
            [ANNOTATION.refName]: '0.1.0',
          },
          platform: { architecture: 'amd64', os: 'linux' },
        },
      ],
    });
    // every blob is named by the digest of its bytes
    for (const name of readdirSync(join(unpacked, 'blobs', 'sha256')))
      expect(sha256(readFileSync(join(unpacked, 'blobs', 'sha256', name)))).toBe(`sha256:${name}`);
  });

  it('has a manifest pointing at the config and the gzip layers, sizes exact', () => {
    const manifest = JSON.parse(blob(archive.digest).toString());
    expect(manifest.mediaType).toBe(MEDIA_TYPE.manifest);
    expect(manifest.config).toEqual({
      mediaType: MEDIA_TYPE.config,
      digest: archive.configDigest,
      size: blob(archive.configDigest).length,
    });
    expect(manifest.layers).toEqual(
      archive.layers.map((layer) => ({
        mediaType: MEDIA_TYPE.layerGzip,
        digest: layer.digest,
        size: blob(layer.digest).length,
      })),
    );
  });

  it("has a config whose diff_ids are the uncompressed layers' digests", () => {
    const config = JSON.parse(blob(archive.configDigest).toString());
    const layers = archive.layers.map((layer) => gunzipSync(blob(layer.digest)));
    expect(config.rootfs).toEqual({ type: 'layers', diff_ids: layers.map(sha256) });
    expect(config).toMatchObject({
      created: '2023-11-14T22:13:20Z',
      architecture: 'amd64',
      os: 'linux',
      config: { Env: ['PATH=/opt/loom/bin:/usr/bin'], Cmd: ['hello'], WorkingDir: '/' },
      history: [
        { created: '2023-11-14T22:13:20Z', created_by: 'base' },
        { created: '2023-11-14T22:13:20Z', created_by: 'top', comment: 'the program' },
      ],
    });
    // the gzip header carries no name and no time (RFC 1952: FLG 0, MTIME 0)
    for (const layer of archive.layers)
      expect([...blob(layer.digest).subarray(3, 8)]).toEqual([0, 0, 0, 0, 0]);
  });

  it("carries docker's manifest.json with the reference and blob paths", () => {
    expect(json('manifest.json')).toEqual([
      {
        Config: `blobs/sha256/${archive.configDigest.slice(7)}`,
        RepoTags: [REFERENCE],
        Layers: archive.layers.map((layer) => `blobs/sha256/${layer.digest.slice(7)}`),
      },
    ]);
  });
});

describe('readOciArchive', () => {
  it('finds the manifest, config and layer blobs in place, and they verify', async () => {
    const read = await readOciArchive(archive.file);
    expect(read.reference).toBe(REFERENCE);
    expect(read.manifestDescriptor.digest).toBe(archive.digest);
    expect(read.config.config.Cmd).toEqual(['hello']);
    expect(read.layers.map(({ digest, diffId, size }) => ({ digest, diffId, size }))).toEqual(
      archive.layers.map(({ digest, diffId, size }) => ({ digest, diffId, size })),
    );
    for (const layer of read.layers) await verifyBlob(archive.file, layer);
    await verifyBlob(archive.file, read.configBlob);
    const chunks: Buffer[] = [];
    for await (const chunk of openBlob(archive.file, read.layers[1]!)) chunks.push(chunk as Buffer);
    expect(gunzipSync(Buffer.concat(chunks)).toString('latin1')).toContain('echo hi');
  });

  it('picks an image by reference and names one it does not hold', async () => {
    await expect(readOciArchive(archive.file, { reference: '0.1.0' })).resolves.toMatchObject({
      reference: REFERENCE,
    });
    await expect(
      readOciArchive(archive.file, { reference: 'example.org/other:1' }),
    ).rejects.toThrow('holds no image named example.org/other:1');
  });

  it('fails when a blob does not match its digest', async () => {
    const copy = join(dir, 'tampered.tar');
    const bytes = readFileSync(archive.file);
    const read = await readOciArchive(archive.file);
    const layer = read.layers[0]!;
    bytes[layer.offset + 20] = bytes[layer.offset + 20]! ^ 0xff;
    writeFileSync(copy, bytes);
    await expect(verifyBlob(copy, (await readOciArchive(copy)).layers[0]!)).rejects.toThrow(
      /does not match its content|incorrect|invalid/,
    );
  });

  it('says what is wrong with a file that is not an OCI archive', async () => {
    const notTar = join(dir, 'not.tar');
    writeFileSync(notTar, Buffer.alloc(1024, 'x'));
    await expect(readOciArchive(notTar)).rejects.toThrow('not a tar file, or damaged');
    const noLayout = join(dir, 'plain.tar');
    spawnSync('tar', ['-cf', noLayout, '-C', dir, 'base.tar.gz']);
    await expect(readOciArchive(noLayout)).rejects.toThrow(
      `${noLayout} is not an OCI archive: it has no oci-layout`,
    );
  });
});

import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { status } from '@grpc/grpc-js';
import { canUseNetns, netnsSkipReason, skipOrFailInCi } from '@loom-net/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WrittenImage } from './image/oci-test-archive.ts';
import { writeOciArchive } from './image/oci-test-archive.ts';
import { HAS_BUSYBOX, TEST_IMAGE_NAME, twoLayerImage } from './image/two-layer-image.ts';
import type { Message, Node } from './runtime-harness.ts';
import {
  containerConfig,
  createNode,
  podConfig,
  runtimeTierMissing,
  waitFor,
} from './runtime-harness.ts';

const OTHER_IMAGE_NAME = 'registry.example.org/loom-test/other:1.0';
const needs = HAS_BUSYBOX
  ? runtimeTierMissing()
  : 'the archive image test needs /usr/bin/busybox (busybox-static)';
const skip = canUseNetns() ? skipOrFailInCi(needs) : netnsSkipReason();

function logLines(node: Node): Message[] {
  return readFileSync(node.logFile, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line));
}

describe.skipIf(skip !== undefined)(
  `lab runtime with --image-archive (overlay roots on unpacked layers)${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    let node: Node;
    let written: WrittenImage;
    let podId = '';
    let appId = '';
    let other: WrittenImage;
    // The layers' trees: the base (shared with the other image) and the top.
    let base = '';
    let top = '';
    let archiveDir = '';
    const layersDir = () => join(node.stateDir, 'images/layers');
    const layerNames = () => readdirSync(layersDir()).filter((name) => /^[0-9a-f]{64}$/.test(name));
    const treeOf = (diffId: string) => join(layersDir(), diffId.slice('sha256:'.length), 'fs');

    const exec = async (id: string, cmd: string[]) => {
      const result = await node.client.runtime('ExecSync', { container_id: id, cmd, timeout: 10 });
      return {
        code: result.exit_code as number,
        out: result.stdout.toString().trim(),
        err: result.stderr.toString(),
      };
    };

    const start = async (name: string, extra: Message = {}) => {
      const sandbox = await node.client.runtime('PodSandboxStatus', { pod_sandbox_id: podId });
      const { container_id } = await node.client.runtime('CreateContainer', {
        pod_sandbox_id: podId,
        config: containerConfig(name, TEST_IMAGE_NAME, extra),
        sandbox_config: { metadata: sandbox.status.metadata },
      });
      await node.client.runtime('StartContainer', { container_id });
      return container_id as string;
    };

    beforeAll(async () => {
      archiveDir = mkdtempSync(join(tmpdir(), 'loom-archive-kernel-'));
      const archive = join(archiveDir, 'two-layer.oci.tar');
      written = writeOciArchive(archive, twoLayerImage());
      // Another image on the same base layer: the base is unpacked once for both.
      const otherArchive = join(archiveDir, 'other.oci.tar');
      const image = twoLayerImage();
      other = writeOciArchive(otherArchive, {
        ...image,
        name: OTHER_IMAGE_NAME,
        layers: [image.layers[0]!, { build: (d) => writeFileSync(join(d, 'other.txt'), 'o\n') }],
      });
      // A broken archive beside it: logged, reported by PullImage, and the runtime serves on.
      const broken = join(archiveDir, 'broken.tar');
      writeFileSync(broken, 'not an archive\n'.repeat(100));
      node = await createNode({
        runtimeFlags: [
          '--image-archive',
          archive,
          '--image-archive',
          otherArchive,
          '--image-archive',
          broken,
        ],
      });
      await node.start();
      node.installCni();
      base = treeOf(written.layers[0]!.diffId);
      top = treeOf(written.layers[1]!.diffId);
    }, 60_000);

    afterAll(async () => {
      await node?.cleanup();
      if (archiveDir !== '') rmSync(archiveDir, { recursive: true, force: true });
    }, 90_000);

    const unpackedLayers = () =>
      logLines(node)
        .filter((l) => l.msg?.startsWith('image archive loaded'))
        .flatMap((l) => l.unpacked as string[]);

    it('loads the archives at start: each layer unpacked once, the shared base once for both', () => {
      expect(unpackedLayers().sort()).toEqual(
        [written.layers[0]!.diffId, written.layers[1]!.diffId, other.layers[1]!.diffId].sort(),
      );
      expect(other.layers[0]!.diffId).toBe(written.layers[0]!.diffId);
      expect(layerNames()).toHaveLength(3);
      expect(existsSync(join(top, 'data/added.txt'))).toBe(true);
    });

    it('crictl lists and inspects the image with its names, id and size', () => {
      const inspect = node.crictl(['inspecti', TEST_IMAGE_NAME]);
      expect(inspect.status).toBe(0);
      const { status: image, info } = JSON.parse(inspect.stdout);
      expect(image).toMatchObject({
        id: written.configDigest,
        repoTags: [TEST_IMAGE_NAME],
        repoDigests: [`registry.example.org/loom-test/two-layer@${written.manifestDigest}`],
        size: String(written.layers[0]!.size + written.layers[1]!.size),
      });
      expect(info).toMatchObject({ workingDir: '/work', user: 'app', stopSignal: 'SIGINT' });
      expect(node.crictl(['images']).stdout).toContain('registry.example.org/loom-test/two-layer');
    });

    it('pulls its name without network; an unknown name fails naming the map and the archive', async () => {
      const pulled = await node.client.image('PullImage', { image: { image: TEST_IMAGE_NAME } });
      expect(pulled.image_ref).toBe(written.configDigest);
      const failure = node.client.image('PullImage', {
        image: { image: 'registry.example.org/nope:1' },
      });
      await expect(failure).rejects.toMatchObject({ code: status.NOT_FOUND });
      await expect(failure).rejects.toThrow(
        /image map.*two-layer\.oci\.tar \(registry\.example\.org/s,
      );
    });

    it('pulls by tag and manifest digest, as manifests pin images; another digest is not found', async () => {
      const pinned = `${TEST_IMAGE_NAME}@${written.manifestDigest}`;
      const pulled = await node.client.image('PullImage', { image: { image: pinned } });
      expect(pulled.image_ref).toBe(written.configDigest);
      const status_ = await node.client.image('ImageStatus', { image: { image: pinned } });
      expect(status_.image?.id).toBe(written.configDigest);
      const other = node.client.image('PullImage', {
        image: { image: `${TEST_IMAGE_NAME}@sha256:${'0'.repeat(64)}` },
      });
      await expect(other).rejects.toMatchObject({ code: status.NOT_FOUND });
    });

    it("runs a container with the image's files, env, working dir and user", async () => {
      const pod = await node.client.runtime('RunPodSandbox', {
        config: podConfig(node, 'archive'),
      });
      podId = pod.pod_sandbox_id;
      const secrets = join(node.dir, 'secrets');
      mkdirSync(secrets);
      writeFileSync(join(secrets, 'token'), 'a-token\n');
      appId = await start('app', {
        envs: [{ key: 'OVERRIDDEN', value: Buffer.from('by-pod') }],
        mounts: [{ container_path: '/var/run/secrets/loom', host_path: secrets, readonly: true }],
      });
      expect(await exec(appId, ['id', '-u'])).toMatchObject({ code: 0, out: '1000' });
      expect(await exec(appId, ['id', '-g'])).toMatchObject({ code: 0, out: '1001' });
      expect(await exec(appId, ['pwd'])).toMatchObject({ out: '/work' });
      const env = (await exec(appId, ['env'])).out.split('\n');
      expect(env).toEqual(
        expect.arrayContaining(['GREETING=from-image', 'OVERRIDDEN=by-pod', 'HOSTNAME=archive']),
      );
      expect((await exec(appId, ['ls', '/data'])).out.split(/\s+/).sort()).toEqual([
        'added.txt',
        'keep.txt',
      ]);
      expect((await exec(appId, ['ls', '/opaque'])).out).toBe('new.txt');
      expect((await exec(appId, ['cat', '/link'])).out).toBe('kept');
      expect((await exec(appId, ['stat', '-c', '%a', '/usr/local/bin/tool'])).out).toBe('750');
      // /var/run is the image's link to /run: the mount is there, not on the host's /run.
      expect((await exec(appId, ['cat', '/run/secrets/loom/token'])).out).toBe('a-token');
      const statusOf = await node.client.runtime('ContainerStatus', { container_id: appId });
      expect(statusOf.status).toMatchObject({
        state: 'CONTAINER_RUNNING',
        stop_signal: 'SIGNAL_SIGINT',
      });
      expect(statusOf.status.image_ref).toBe(
        `registry.example.org/loom-test/two-layer@${written.manifestDigest}`,
      );
      // Its root stands on the layers through short links; the store's lease names them.
      const lower = join(node.stateDir, 'containers', appId, 'lower');
      expect(readlinkSync(join(layersDir(), 'leases', appId))).toBe(lower);
      expect([readlinkSync(join(lower, '0')), readlinkSync(join(lower, '1'))]).toEqual([top, base]);
    });

    it('writes go to the container layer, never to the image layers', async () => {
      const root = await start('writer', {
        command: [
          '/bin/sh',
          '-c',
          'echo changed >/data/keep.txt; echo new >/data/new.txt; rm /data/added.txt; sleep 3600',
        ],
        linux: { security_context: { run_as_user: { value: '0' } } },
      });
      await waitFor('the writer to write', async () =>
        (await exec(root, ['cat', '/data/new.txt'])).out === 'new' ? true : undefined,
      );
      expect((await exec(root, ['cat', '/data/keep.txt'])).out).toBe('changed');
      expect(readFileSync(join(base, 'data/keep.txt'), 'utf8')).toBe('kept\n');
      expect(existsSync(join(base, 'data/new.txt'))).toBe(false);
      expect(existsSync(join(top, 'data/new.txt'))).toBe(false);
      expect(existsSync(join(top, 'data/added.txt'))).toBe(true);
      expect(
        readFileSync(join(node.stateDir, 'containers', root, 'upper/data/new.txt'), 'utf8'),
      ).toBe('new\n');
      // The other container of the same image sees the image, not the writer's changes.
      expect((await exec(appId, ['cat', '/data/keep.txt'])).out).toBe('kept');
      await node.client.runtime('RemoveContainer', { container_id: root });
      expect(existsSync(join(node.stateDir, 'containers', root))).toBe(false);
    });

    it('makes the overlay read-only for readonlyRootFilesystem, after the mount points', async () => {
      const id = await start('readonly', {
        linux: { security_context: { readonly_rootfs: true, run_as_user: { value: '0' } } },
      });
      const touched = await exec(id, ['touch', '/data/x']);
      expect(touched.code).not.toBe(0);
      expect(touched.err).toMatch(/Read-only file system/);
      expect((await exec(id, ['cat', '/etc/hostname'])).out).toBe('archive');
      await node.client.runtime('RemoveContainer', { container_id: id });
    });

    it('reuses the layers after a restart, unpacking nothing, and re-adopts the container', async () => {
      const inode = lstatSync(top).ino;
      await node.stop('SIGKILL');
      await node.start();
      expect(unpackedLayers()).toHaveLength(3);
      expect(logLines(node).map((l) => l.msg)).toContain(
        'image archive loaded, every layer reused',
      );
      expect(lstatSync(top).ino).toBe(inode);
      expect(layerNames()).toHaveLength(3);
      expect((await exec(appId, ['cat', '/data/keep.txt'])).out).toBe('kept');
    });

    it('keeps the layers while a container uses them after RemoveImage, then removes only the unshared one', async () => {
      await node.client.image('RemoveImage', { image: { image: TEST_IMAGE_NAME } });
      const left = (await node.client.image('ListImages', {})).images as Message[];
      expect(left.map((i) => i.id)).toEqual([other.configDigest]);
      expect(existsSync(top)).toBe(true);
      await node.client.runtime('RemoveContainer', { container_id: appId });
      expect(existsSync(top)).toBe(false);
      expect(existsSync(join(layersDir(), 'leases', appId))).toBe(false);
      // The base stays: the other image stands on it.
      expect(existsSync(join(base, 'data/keep.txt'))).toBe(true);
      await node.client.image('PullImage', { image: { image: TEST_IMAGE_NAME } });
      expect(existsSync(join(top, 'opaque/new.txt'))).toBe(true);
    });
  },
);

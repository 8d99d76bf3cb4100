import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  KIND_CONFIG,
  type KindSettings,
  kindSettingsFromEnv,
  LOOM_IMAGE_ARCHIVE,
  startKindCluster,
  stopKindCluster,
} from '../kind-cluster.ts';
import { failure, fakeHost } from './fake-host.ts';

const settings: KindSettings = {
  name: 'loom-e2e',
  config: '/repo/e2e/kind/cluster.yaml',
  imageArchive: '/repo/dist/image/loom.oci.tar',
  loom: ['/usr/bin/node24', '--conditions=loom-source', '/repo/packages/cli/src/main.ts'],
  keep: false,
  loomImage: `ghcr.io/loom-net/loom:0.1.0@sha256:${'a'.repeat(64)}`,
};
const workDir = '/tmp/loom-e2e-kind-test';
const kubeconfig = `${workDir}/kubeconfig`;

const PREFLIGHT = ['docker info --format {{.ServerVersion}}', 'kind get clusters'];
const CREATE = `kind create cluster --name loom-e2e --config /repo/e2e/kind/cluster.yaml --kubeconfig ${kubeconfig}`;
const LOAD = 'kind load image-archive /repo/dist/image/loom.oci.tar --name loom-e2e';
// The image by the archive's digest: the rendered install.yaml pins a placeholder until a release.
const INSTALL = `/usr/bin/node24 --conditions=loom-source /repo/packages/cli/src/main.ts install --kubeconfig ${kubeconfig} --image ghcr.io/loom-net/loom:0.1.0@sha256:${'a'.repeat(64)}`;
const READY =
  'docker exec loom-e2e-control-plane kubectl --kubeconfig=/etc/kubernetes/admin.conf ' +
  'wait --for=condition=Ready nodes --all --timeout=180s';
const EXPORT_LOGS = `kind export logs ${workDir}/logs --name loom-e2e`;
const DELETE = `kind delete cluster --name loom-e2e --kubeconfig ${kubeconfig}`;

describe('bringing up the kind e2e cluster', () => {
  it('checks the machine, creates the cluster, loads the image, installs Loom, waits for Ready nodes', async () => {
    const host = fakeHost();
    const progress: string[] = [];
    const cluster = await startKindCluster(host, settings, {
      workDir,
      onProgress: (line) => progress.push(line),
    });
    expect(host.lines).toEqual([...PREFLIGHT, CREATE, LOAD, INSTALL, READY]);
    expect(cluster).toEqual({ name: 'loom-e2e', kubeconfig, workDir });
    expect(progress.map((line) => line.replace(/\(.*\)/, '(…)'))).toEqual([
      'kind e2e: create the kind cluster (…)',
      'kind e2e: load the Loom image into the nodes (…)',
      'kind e2e: install Loom (…)',
      'kind e2e: wait for every node to be Ready (…)',
    ]);
    // Every step is bounded: a hung kind or docker fails the run instead of stalling it.
    expect(host.calls.every((call) => (call.options.timeoutMs ?? 0) > 0)).toBe(true);
  });

  it('passes LOOM_E2E_KIND_IMAGE to kind as the node image, and keeps a failed create with LOOM_E2E_KEEP=1', async () => {
    const host = fakeHost();
    await startKindCluster(
      host,
      { ...settings, nodeImage: 'kindest/node:v1.37.2@sha256:0123', keep: true },
      { workDir },
    );
    expect(host.lines[2]).toBe(`${CREATE} --image kindest/node:v1.37.2@sha256:0123 --retain`);
  });

  it('on a failed step exports the logs, deletes the cluster and says what failed', async () => {
    const host = fakeHost((line) =>
      line.startsWith('kind load')
        ? failure('ERROR: failed to load image: unpack: short read')
        : undefined,
    );
    const started = startKindCluster(host, settings, { workDir });
    await expect(started).rejects.toThrow(
      [
        `kind e2e: cannot load the Loom image into the nodes: \`${LOAD}\` exited 1`,
        'ERROR: failed to load image: unpack: short read',
        `logs: ${workDir}/logs`,
        'cluster loom-e2e deleted',
      ].join('\n'),
    );
    expect(host.lines).toEqual([...PREFLIGHT, CREATE, LOAD, EXPORT_LOGS, DELETE]);
  });

  it('keeps the cluster of a failed step with LOOM_E2E_KEEP=1 and says how to delete it', async () => {
    const host = fakeHost((line) =>
      line.includes(' install ')
        ? failure('preflight: the API server is not reachable')
        : undefined,
    );
    const started = startKindCluster(host, { ...settings, keep: true }, { workDir });
    await expect(started).rejects.toThrow(
      'cluster loom-e2e kept (LOOM_E2E_KEEP=1): delete it with `kind delete cluster --name loom-e2e`',
    );
    expect(host.lines).not.toContain(DELETE);
    expect(host.lines.at(-1)).toBe(EXPORT_LOGS);
  });

  it('says so when neither logs could be exported nor the cluster deleted', async () => {
    const host = fakeHost((line) => {
      if (line.startsWith('kind create'))
        return failure('ERROR: failed to create cluster: node image not found');
      if (line.startsWith('kind export')) return failure('ERROR: unknown cluster "loom-e2e"');
      if (line.startsWith('kind delete')) return failure('Cannot connect to the Docker daemon');
    });
    await expect(startKindCluster(host, settings, { workDir })).rejects.toThrow(
      /node image not found\nlogs: none exported \(ERROR: unknown cluster "loom-e2e"\)\ncluster loom-e2e could not be deleted \(Cannot connect to the Docker daemon\)/,
    );
  });

  it.each([
    {
      missing: 'kind',
      message: /^kind is not installed \(no `kind` on PATH\): install kind v0\.33\.0 or newer/,
    },
    { missing: 'docker', message: /^docker is not installed \(no `docker` on PATH\)/ },
  ])('refuses to start without $missing, running nothing', async ({ missing, message }) => {
    const host = fakeHost(undefined, {
      tools: ['kind', 'docker'].filter((tool) => tool !== missing),
    });
    await expect(startKindCluster(host, settings, { workDir })).rejects.toThrow(message);
    expect(host.lines).toEqual([]);
  });

  it('refuses to start when docker reaches no engine (a client alone, as on Loom CI)', async () => {
    const noEngine =
      'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?';
    const host = fakeHost((line) =>
      line.startsWith('docker info') ? failure(noEngine) : undefined,
    );
    await expect(startKindCluster(host, settings, { workDir })).rejects.toThrow(
      `docker cannot reach a Docker engine (docker info: ${noEngine}): start one, or point DOCKER_HOST at it`,
    );
    expect(host.lines).toEqual([PREFLIGHT[0]]);
  });

  it('refuses to start without the image archive, naming the command that builds it', async () => {
    const host = fakeHost(undefined, { files: [] });
    await expect(startKindCluster(host, settings, { workDir })).rejects.toThrow(
      'no Loom image archive at /repo/dist/image/loom.oci.tar: build it with `npm run image`',
    );
    expect(host.lines).toEqual([PREFLIGHT[0]]);
  });

  it('never touches a kind cluster of the same name it did not create', async () => {
    const host = fakeHost((line) =>
      line === 'kind get clusters' ? { stdout: 'dev\nloom-e2e\n' } : undefined,
    );
    await expect(startKindCluster(host, settings, { workDir })).rejects.toThrow(
      'a kind cluster named loom-e2e already exists (kept by LOOM_E2E_KEEP=1, or another run): ' +
        'delete it with `kind delete cluster --name loom-e2e`',
    );
    expect(host.lines).toEqual(PREFLIGHT);
  });
});

describe('tearing down the kind e2e cluster', () => {
  const dirs: string[] = [];
  const cluster = () => {
    const dir = mkdtempSync(join(tmpdir(), 'loom-e2e-kind-test-'));
    dirs.push(dir);
    return { name: 'loom-e2e', kubeconfig: join(dir, 'kubeconfig'), workDir: dir };
  };
  // The dirs a failed or kept run leaves on purpose.
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('after a passing run deletes the cluster and its work dir', async () => {
    const host = fakeHost();
    const done = cluster();
    expect(await stopKindCluster(host, settings, done, { failed: false })).toEqual([
      'cluster loom-e2e deleted',
    ]);
    expect(host.lines).toEqual([
      `kind delete cluster --name loom-e2e --kubeconfig ${done.kubeconfig}`,
    ]);
    expect(existsSync(done.workDir)).toBe(false);
  });

  it('after a failing run exports the logs first and keeps them', async () => {
    const host = fakeHost();
    const done = cluster();
    const notes = await stopKindCluster(host, settings, done, { failed: true });
    expect(host.lines).toEqual([
      `kind export logs ${done.workDir}/logs --name loom-e2e`,
      `kind delete cluster --name loom-e2e --kubeconfig ${done.kubeconfig}`,
    ]);
    expect(notes).toEqual([`logs: ${done.workDir}/logs`, 'cluster loom-e2e deleted']);
    expect(existsSync(done.workDir)).toBe(true);
  });

  it('with LOOM_E2E_KEEP=1 leaves the cluster and its kubeconfig', async () => {
    const host = fakeHost();
    const done = cluster();
    const notes = await stopKindCluster(host, { ...settings, keep: true }, done, { failed: false });
    expect(host.lines).toEqual([]);
    expect(notes).toEqual([
      `cluster loom-e2e kept (LOOM_E2E_KEEP=1): delete it with \`kind delete cluster --name loom-e2e\`; kubeconfig: ${done.kubeconfig}`,
    ]);
    expect(existsSync(done.workDir)).toBe(true);
  });
});

describe('settings from the environment', () => {
  it('default to the repository’s cluster.yaml and image archive, deleting the cluster', () => {
    const defaults = kindSettingsFromEnv({});
    expect(defaults).toMatchObject({
      name: 'loom-e2e',
      config: KIND_CONFIG,
      imageArchive: LOOM_IMAGE_ARCHIVE,
      keep: false,
    });
    expect(KIND_CONFIG).toMatch(/\/e2e\/kind\/cluster\.yaml$/);
    expect(LOOM_IMAGE_ARCHIVE).toMatch(/\/dist\/image\/loom\.oci\.tar$/);
    expect(defaults.loom.slice(1)).toEqual([
      '--conditions=loom-source',
      expect.stringMatching(/\/packages\/cli\/src\/main\.ts$/),
    ]);
    expect(defaults).not.toHaveProperty('nodeImage');
  });

  it('read LOOM_E2E_KEEP and LOOM_E2E_KIND_IMAGE', () => {
    const set = kindSettingsFromEnv({
      LOOM_E2E_KEEP: '1',
      LOOM_E2E_KIND_IMAGE: 'kindest/node:v1.37.2',
    });
    expect(set).toMatchObject({ keep: true, nodeImage: 'kindest/node:v1.37.2' });
  });

  it('reject a LOOM_E2E_KEEP that is not 0 or 1', () => {
    expect(() => kindSettingsFromEnv({ LOOM_E2E_KEEP: 'yes' })).toThrow(
      'LOOM_E2E_KEEP must be 1 (keep the kind cluster) or 0, not "yes"',
    );
  });
});

import { existsSync, readFileSync } from 'node:fs';
import { ApiException, CoreV1Api, Watch } from '@kubernetes/client-node';
import { netnsExists } from '@loom-net/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKubectl } from '../src/commands/lab-kubectl.ts';
import { runningPid } from '../src/components/component-runner.ts';
import { COMPONENTS } from '../src/components/component-table.ts';
import {
  labSkipReason,
  startTestControlPlane,
  type TestControlPlane,
} from '../src/testing/test-control-plane.ts';

const skip = labSkipReason();

// A process that exited but is not reaped yet still has a /proc entry, in state Z.
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

describe.skipIf(skip !== undefined)(
  `the lab control plane${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    let lab: TestControlPlane;
    const pids = new Map<string, number>();

    beforeAll(async () => {
      // Without the watch cache, old resourceVersions reach etcd: 410 right after compaction.
      lab = await startTestControlPlane({
        onProgress: (line) => console.log(line),
        apiServerArgs: ['--watch-cache=false'],
      });
      for (const component of COMPONENTS) {
        pids.set(component.name, runningPid(lab.config, component.name)!);
      }
    });

    afterAll(async () => {
      await lab?.stop();
    });

    const core = () => lab.kubeConfig().makeApiClient(CoreV1Api);

    it('runs every component, reachable from the root namespace', () => {
      expect([...pids.values()].every((pid) => pid > 0)).toBe(true);
      expect(lab.up.hostApiServer).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    });

    it('serves the real v1.37.2 API server, as its own kubectl reports', async () => {
      const result = await runKubectl(['version', '-o', 'json'], {
        stateDir: lab.config.stateDir,
        prefix: lab.config.prefix,
        capture: true,
      });
      expect(result.exitCode).toBe(0);
      const version = JSON.parse(result.stdout);
      expect(version.serverVersion.gitVersion).toBe('v1.37.2');
      expect(version.clientVersion.gitVersion).toBe('v1.37.2');
    });

    it('round-trips a Namespace and a ConfigMap through the root-side kubeconfig', async () => {
      const api = core();
      await api.createNamespace({ body: { metadata: { name: 'roundtrip' } } });
      await api.createNamespacedConfigMap({
        namespace: 'roundtrip',
        body: { metadata: { name: 'greeting' }, data: { hello: 'island' } },
      });
      const read = await api.readNamespacedConfigMap({ namespace: 'roundtrip', name: 'greeting' });
      expect(read.data).toEqual({ hello: 'island' });
      // The controller manager's namespace controllers run: a new namespace gets its root CA.
      await expect
        .poll(
          async () =>
            (await api.listNamespacedConfigMap({ namespace: 'roundtrip' })).items.map(
              (item) => item.metadata?.name,
            ),
          { timeout: 20_000 },
        )
        .toContain('kube-root-ca.crt');
    });

    it('gives a new Node a /24 of the cluster CIDR (node IPAM runs)', async () => {
      const api = core();
      await api.createNode({ body: { metadata: { name: 'ipam-probe' } } });
      await expect
        .poll(async () => (await api.readNode({ name: 'ipam-probe' })).spec?.podCIDR, {
          timeout: 20_000,
        })
        .toMatch(/^10\.244\.\d+\.0\/24$/);
      await api.deleteNode({ name: 'ipam-probe' });
    });

    it('answers 410 Gone for a resourceVersion older than an etcd compaction', async () => {
      const api = core();
      const before = await api.listNamespacedConfigMap({ namespace: 'roundtrip' });
      const old = before.metadata!.resourceVersion!;
      // A watch from `old` reads etcd from old+1 on: compact past that, two writes later.
      for (const name of ['after-1', 'after-2']) {
        await api.createNamespacedConfigMap({
          namespace: 'roundtrip',
          body: { metadata: { name } },
        });
      }
      await lab.compactEtcd();
      const error = await api
        .listNamespacedConfigMap({
          namespace: 'roundtrip',
          resourceVersion: old,
          resourceVersionMatch: 'Exact',
        })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ApiException);
      expect((error as ApiException<unknown>).code).toBe(410);
      const watchError = await new Promise<unknown>((resolve, reject) => {
        new Watch(lab.kubeConfig())
          .watch(
            '/api/v1/namespaces/roundtrip/configmaps',
            { resourceVersion: old },
            (phase, object) => {
              if (phase === 'ERROR') resolve(object);
            },
            (error) => (error ? reject(error) : undefined),
          )
          .catch(reject);
      });
      expect(watchError).toMatchObject({ kind: 'Status', code: 410, reason: 'Expired' });
    });

    it('serves again after an API server restart', async () => {
      await lab.restart('kube-apiserver');
      const pid = runningPid(lab.config, 'kube-apiserver');
      expect(pid).toBeDefined();
      expect(pid).not.toBe(pids.get('kube-apiserver'));
      pids.set('kube-apiserver:before-restart', pids.get('kube-apiserver')!);
      pids.set('kube-apiserver', pid!);
      const read = await core().readNamespacedConfigMap({
        namespace: 'roundtrip',
        name: 'greeting',
      });
      expect(read.data).toEqual({ hello: 'island' });
    });

    it('leaves no namespace, process, mount or file behind when taken down, twice', async () => {
      const { config } = lab;
      const down = await lab.stop();
      expect(down.stopped.map((entry) => entry.name).sort()).toEqual(
        COMPONENTS.map((component) => component.name).sort(),
      );
      expect(down.namespacesRemoved.sort()).toEqual(
        [config.netns.controlPlane, config.netns.switch].sort(),
      );
      expect(netnsExists(config.netns.controlPlane)).toBe(false);
      expect(netnsExists(config.netns.switch)).toBe(false);
      for (const [name, pid] of pids) {
        await expect.poll(() => ({ name, alive: alive(pid) })).toEqual({ name, alive: false });
      }
      const mounts = readFileSync('/proc/self/mountinfo', 'utf8');
      expect(mounts).not.toContain(config.prefix);
      expect(mounts).not.toContain(config.stateDir);
      expect(existsSync(config.stateDir)).toBe(false);
      const again = await lab.stop();
      expect(again).toMatchObject({ found: false, stopped: [], namespacesRemoved: [] });
    });
  },
);

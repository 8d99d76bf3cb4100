import { fileURLToPath } from 'node:url';
import { createKubeClient, type KubeClient, loadKubeConfig } from '@loom-net/core';
import {
  findLoomObjects,
  getOptional,
  installLoom,
  loomStatus,
  type ManifestObject,
  uninstallLoom,
} from '@loom-net/install';
import { labSkipReason, startTestControlPlane, type TestControlPlane } from '@loom-net/lab';
import { loadAll } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/index.ts';

const skip = labSkipReason();
const manifests = fileURLToPath(new URL('../../install/test/fixtures/manifests', import.meta.url));

/**
 * `loom install`, `status` and `uninstall` against a real API server (the lab's control plane,
 * no nodes): discovery reads what the test creates, applies are server-side and idempotent,
 * dry runs store nothing, and uninstall leaves no labelled object behind.
 */
describe.skipIf(skip)(
  `loom install/status/uninstall against an API server${skip ? ` (${skip})` : ''}`,
  () => {
    let lab: TestControlPlane;
    let client: KubeClient;
    const kubeconfig = () => lab.kubeconfigPath;
    const loom = async (args: string[]) => {
      const out: string[] = [];
      const err: string[] = [];
      const code = await runCli(args, {
        out: (t) => out.push(t),
        err: (t) => err.push(t),
        env: process.env,
      });
      return { code, stdout: out.join('\n'), stderr: err.join('\n') };
    };
    const get = (path: string) => getOptional<ManifestObject>(client, path);

    beforeAll(async () => {
      lab = await startTestControlPlane();
      client = createKubeClient(loadKubeConfig({ path: lab.kubeconfigPath }));
      await client.request({
        method: 'POST',
        path: '/apis/networking.k8s.io/v1/servicecidrs',
        body: {
          apiVersion: 'networking.k8s.io/v1',
          kind: 'ServiceCIDR',
          metadata: { name: 'extra' },
          spec: { cidrs: ['10.100.0.0/16'] },
        },
      });
      await client.request({
        method: 'POST',
        path: '/api/v1/namespaces/kube-system/configmaps',
        body: {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'kubeadm-config', namespace: 'kube-system' },
          data: {
            ClusterConfiguration: [
              'apiVersion: kubeadm.k8s.io/v1beta4',
              'kind: ClusterConfiguration',
              'controlPlaneEndpoint: 192.168.1.10:6443',
              'networking:',
              '  podSubnet: 10.244.0.0/16',
              '  serviceSubnet: 10.96.0.0/16',
              '',
            ].join('\n'),
          },
        },
      });
    }, 180_000);
    afterAll(async () => {
      client?.close();
      await lab?.stop();
    });

    it('client dry run prints every object, substituted and in apply order, and stores nothing', async () => {
      const run = await loom([
        'install',
        '--kubeconfig',
        kubeconfig(),
        '--manifests',
        manifests,
        '--dry-run',
        '--image',
        'registry.example.org/loom:test',
      ]);
      expect(run.code, run.stderr).toBe(0);
      const objects = loadAll(run.stdout) as ManifestObject[];
      expect(objects.map((o) => o.kind)).toEqual([
        'Namespace',
        'ServiceAccount',
        'ClusterRole',
        'ClusterRoleBinding',
        'ConfigMap',
        'DaemonSet',
      ]);
      const config = objects.find((o) => o.kind === 'ConfigMap') as ManifestObject & {
        data: Record<string, string>;
      };
      // The lab's kubeconfig points at 127.0.0.1: the node daemons get kubeadm's endpoint.
      expect(config.data).toEqual({
        'cluster-cidr': '10.244.0.0/16',
        'service-cidr': expect.stringMatching(/^10\.96\.0\.0\/\d+,10\.100\.0\.0\/16$/),
        'node-cidr-mask-size': '24',
        'api-server-host': '192.168.1.10',
        'api-server-port': '6443',
      });
      expect(JSON.stringify(objects.find((o) => o.kind === 'DaemonSet'))).toContain(
        'registry.example.org/loom:test',
      );
      expect(run.stderr).toMatch(
        /pod CIDR\s+10\.244\.0\.0\/16\s+\[ConfigMap kube-system\/kubeadm-config networking\.podSubnet\]/,
      );
      expect(run.stderr).toMatch(/service CIDR\s+.*\[ServiceCIDR kubernetes, extra\]/);
      expect(run.stderr).toMatch(
        /API server\s+192\.168\.1\.10:6443\s+\[kubeadm-config controlPlaneEndpoint/,
      );
      expect(await get('/api/v1/namespaces/loom-system')).toBeUndefined();
      expect(
        await get('/apis/rbac.authorization.k8s.io/v1/clusterroles/loom:test-node'),
      ).toBeUndefined();
    });

    it('server dry run has the API server validate what it can, and stores nothing', async () => {
      const report = await installLoom({ kubeconfig: kubeconfig(), manifests, dryRun: 'server' });
      expect(report.ok).toBe(true);
      // The namespaced objects wait for the namespace the install creates (as kubectl's would).
      expect(report.applied.map((a) => `${a.object} ${a.outcome}`)).toEqual([
        'Namespace loom-system validated',
        'ServiceAccount loom-system/loom-node skipped',
        'ClusterRole loom:test-node validated',
        'ClusterRoleBinding loom:test-node validated',
        'ConfigMap loom-system/loom-config skipped',
        'DaemonSet loom-system/loom-node skipped',
      ]);
      expect(await findLoomObjects(client)).toEqual([]);
    });

    it('applies server-side as field manager loom; applying again changes nothing', async () => {
      const progress: string[] = [];
      const first = await installLoom({
        kubeconfig: kubeconfig(),
        manifests,
        timeoutMs: 30_000,
        onProgress: (l) => progress.push(l),
      });
      expect(first.ok, progress.join('\n')).toBe(true);
      expect(first.applied.map((a) => a.outcome)).toEqual(Array(6).fill('created'));
      expect(progress).toContain(
        'DaemonSet loom-system/loom-node: 0/0 ready, 0/0 updated, 0 available (rolled out)',
      );
      const daemonSet = (await get(
        '/apis/apps/v1/namespaces/loom-system/daemonsets/loom-node',
      )) as ManifestObject & {
        metadata: { managedFields?: Array<{ manager: string; operation: string }> };
      };
      expect(daemonSet.metadata.managedFields?.find((f) => f.operation === 'Apply')?.manager).toBe(
        'loom',
      );
      const before = daemonSet.metadata.resourceVersion;

      const second = await installLoom({ kubeconfig: kubeconfig(), manifests, timeoutMs: 30_000 });
      expect(second.applied.map((a) => a.outcome)).toEqual(Array(6).fill('unchanged'));
      const after = await get('/apis/apps/v1/namespaces/loom-system/daemonsets/loom-node');
      expect(after?.metadata.resourceVersion).toBe(before);
      const serverDryRun = await installLoom({
        kubeconfig: kubeconfig(),
        manifests,
        dryRun: 'server',
      });
      expect(serverDryRun.applied.map((a) => a.outcome)).toEqual(Array(6).fill('validated'));
    });

    it('times out naming the pods that cannot run and why (no node: unschedulable)', async () => {
      const report = await installLoom({
        kubeconfig: kubeconfig(),
        manifests,
        components: ['route-agent', 'pod-cidr-allocator'],
        timeoutMs: 3000,
      });
      expect(report.ok).toBe(false);
      expect(report.rollout?.done).toBe(false);
      const problems = report.rollout?.problems ?? [];
      expect(problems.length).toBeGreaterThan(0);
      for (const problem of problems) {
        expect(problem.pod).toMatch(/^loom-system\/loom-pod-cidr-allocator-|^Deployment /);
      }
      expect(problems.map((p) => p.kind)).toContain('unschedulable');
    });

    it('status shows the workloads and the config, and is unhealthy while the allocator is not ready', async () => {
      const status = await loomStatus({ kubeconfig: kubeconfig() });
      expect(status.installed).toBe(true);
      expect(status.config['cluster-cidr']).toBe('10.244.0.0/16');
      expect(status.configuredMode).toBe('auto');
      expect(status.components.map((c) => `${c.kind} ${c.name} ${c.version}`).sort()).toEqual([
        'DaemonSet loom-node 0.1.0',
        'Deployment loom-pod-cidr-allocator 0.1.0',
      ]);
      expect(status.healthy).toBe(false);
      const run = await loom(['status', '--kubeconfig', kubeconfig(), '-o', 'json']);
      expect(run.code).toBe(1);
      expect((JSON.parse(run.stdout) as { problems: string[] }).problems.join('\n')).toMatch(
        /loom-pod-cidr-allocator: 0\/2 ready/,
      );
    });

    it('uninstall removes every labelled object, the namespace included; a second run finds nothing', async () => {
      const report = await uninstallLoom({ kubeconfig: kubeconfig(), timeoutMs: 120_000 });
      expect(report.remaining).toEqual([]);
      expect(report.ok).toBe(true);
      expect(report.objects).toContain('Namespace loom-system');
      expect(await findLoomObjects(client)).toEqual([]);
      expect(await get('/api/v1/namespaces/loom-system')).toBeUndefined();
      const again = await loom(['uninstall', '--kubeconfig', kubeconfig()]);
      expect(again.code).toBe(0);
      expect(again.stdout).toContain('Loom is not installed: nothing to delete.');
      const status = await loom(['status', '--kubeconfig', kubeconfig()]);
      expect(status.code).toBe(1);
      expect(status.stdout).toContain('Loom is not installed.');
    });
  },
);

import { fileURLToPath } from 'node:url';
import { formatUninstallReport, installLoom, loomStatus, uninstallLoom } from '@loom-net/install';
import { labSkipReason, startTestControlPlane, type TestControlPlane } from '@loom-net/lab';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const skip = labSkipReason();
const manifests = fileURLToPath(new URL('./fixtures/busybox-manifests', import.meta.url));

/**
 * The rollout and its explanations with real kubelets: a 2-node lab (bridge CNI) running
 * Kubernetes' busybox image in place of Loom's, which the lab runtime cannot run yet here.
 */
describe.skipIf(skip)(`loom install on nodes${skip ? ` (${skip})` : ''}`, () => {
  let lab: TestControlPlane;

  beforeAll(async () => {
    lab = await startTestControlPlane({ nodes: 2, cni: 'bridge' });
  }, 240_000);
  afterAll(async () => {
    await lab?.stop();
  });

  it('waits for a DaemonSet to be ready on every node, printing its counts as they change', async () => {
    const progress: string[] = [];
    const report = await installLoom({
      kubeconfig: lab.kubeconfigPath,
      manifests,
      components: ['route-agent'],
      timeoutMs: 120_000,
      onProgress: (line) => progress.push(line),
    });
    expect(report.ok, progress.join('\n')).toBe(true);
    expect(progress).toContain(
      'DaemonSet loom-system/loom-node: 2/2 ready, 2/2 updated, 2 available (rolled out)',
    );
    // The lab gives nodeN 10.244.N.0/24 and no kubeadm-config: the pod CIDR is a guess.
    expect(report.facts.clusterCidrs).toMatchObject({
      value: ['10.244.0.0/16'],
      source: 'spec.podCIDRs of 2 node(s)',
    });
    expect(report.preflight.find((c) => c.name === 'podCIDRs')?.detail).toMatch(
      /all 2 node\(s\) have one/,
    );
    const status = await loomStatus({ kubeconfig: lab.kubeconfigPath, metricsTimeoutMs: 1000 });
    expect(status.nodes.map((n) => [n.node, n.podReady, n.podCidrs])).toEqual([
      ['node1', true, ['10.244.1.0/24']],
      ['node2', true, ['10.244.2.0/24']],
    ]);
    expect(status.healthy).toBe(true);
  });

  it('on a timeout, names each crash-looping pod with its node, exit code and last log lines', async () => {
    const report = await installLoom({
      kubeconfig: lab.kubeconfigPath,
      manifests,
      timeoutMs: 25_000,
    });
    expect(report.ok).toBe(false);
    const problems = report.rollout?.problems ?? [];
    expect(problems.map((p) => p.node).sort()).toEqual(['node1', 'node2']);
    for (const problem of problems) {
      expect(problem.kind).toBe('crash-loop');
      expect(problem.message).toMatch(
        /^container crasher: (CrashLoopBackOff, \d+ restart\(s\), last exit 3|exited 3)/,
      );
      expect(problem.logLines).toEqual(['reading config', 'fatal: cannot reach 192.0.2.1']);
    }
    const status = await loomStatus({ kubeconfig: lab.kubeconfigPath, metricsTimeoutMs: 1000 });
    expect(status.healthy).toBe(false);
    expect(status.problems.join('\n')).toMatch(/DaemonSet loom-crash: 0\/2 ready/);
  }, 60_000);

  it('uninstall reports the nodes it could not clean, and why, and still deletes every object', async () => {
    // busybox has no loom-node-cleanup: the cleanup pods fail, as a broken image would.
    const lines: string[] = [];
    const report = await uninstallLoom({
      kubeconfig: lab.kubeconfigPath,
      image: 'registry.k8s.io/e2e-test-images/busybox:1.36.1-1',
      timeoutMs: 20_000,
      onProgress: (line) => lines.push(line),
    });
    expect(report.ok).toBe(false);
    expect(report.nodes.map((n) => [n.node, n.summary])).toEqual([
      ['node1', undefined],
      ['node2', undefined],
    ]);
    expect(report.cleanupProblems.map((p) => p.node).sort()).toEqual(['node1', 'node2']);
    const text = formatUninstallReport(report);
    expect(text).toContain('  node1: NOT CLEANED');
    expect(text).toMatch(/loom-node-cleanup-\w+ on node1: container cleanup: /);
    expect(report.remaining).toEqual([]);
  }, 120_000);
});

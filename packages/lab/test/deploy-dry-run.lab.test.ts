import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEPLOY_DIR, findKubectl } from '../../../deploy/render.ts';
import {
  labSkipReason,
  startTestControlPlane,
  type TestControlPlane,
} from '../src/testing/test-control-plane.ts';

// deploy/'s rendered files against a real kube-apiserver (the lab's, its version): schema,
// defaulting, admission (Pod Security on loom-system, priority classes, RBAC escalation
// checks on the roles) all run; `--dry-run=server` persists nothing.
const skip = labSkipReason();
const INSTALL = join(DEPLOY_DIR, 'install.yaml');
const ALLOCATOR = join(DEPLOY_DIR, 'install-pod-cidr-allocator.yaml');

describe.skipIf(skip !== undefined)(
  `deploy/ against a real API server${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    let lab: TestControlPlane;
    const kubectl = findKubectl() ?? 'kubectl';
    const run = (args: string[]) =>
      promisify(execFile)(kubectl, ['--kubeconfig', lab.kubeconfigPath, ...args]).then(
        ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
        (error: { code: number; stdout: string; stderr: string }) => error,
      );

    beforeAll(async () => {
      lab = await startTestControlPlane({ onProgress: (line) => console.log(line) });
    });
    afterAll(() => lab?.stop());

    it('accepts install.yaml and install-pod-cidr-allocator.yaml with --dry-run=server', async () => {
      // A server dry run persists nothing, so the namespaced objects need loom-system to exist
      // already: create it (and loom-config) for real from the file's own base objects.
      const base = await run([
        'apply',
        '-f',
        INSTALL,
        '--selector=app.kubernetes.io/component=base',
      ]);
      expect(base.stderr).toBe('');
      expect(base.stdout).toContain('namespace/loom-system created');

      const dryRun = await run(['apply', '--dry-run=server', '-f', INSTALL, '-f', ALLOCATOR]);
      expect(dryRun.code).toBe(0);
      // Any warning, e.g. Pod Security's "would violate", is a finding.
      const warnings = dryRun.stderr.split('\n').filter((line) => line !== '');
      expect(warnings).toEqual([]);
      for (const object of [
        'serviceaccount/loom-node',
        'clusterrole.rbac.authorization.k8s.io/loom:route-agent',
        'clusterrolebinding.rbac.authorization.k8s.io/loom:route-agent',
        'daemonset.apps/loom-node',
        'serviceaccount/loom-pod-cidr-allocator',
        'clusterrole.rbac.authorization.k8s.io/loom:pod-cidr-allocator',
        'role.rbac.authorization.k8s.io/loom:pod-cidr-allocator',
        'role.rbac.authorization.k8s.io/loom:pod-cidr-allocator:events',
        'deployment.apps/loom-pod-cidr-allocator',
      ]) {
        expect(dryRun.stdout).toMatch(
          new RegExp(`^${object} (created|configured) \\(server dry run\\)$`, 'm'),
        );
      }
    });

    it('leaves loom-system Pod Security privileged, as applied', async () => {
      const labels = await run([
        'get',
        'namespace',
        'loom-system',
        '-o',
        'jsonpath={.metadata.labels}',
      ]);
      expect(JSON.parse(labels.stdout)).toMatchObject({
        'pod-security.kubernetes.io/enforce': 'privileged',
        'app.kubernetes.io/part-of': 'loom',
      });
    });
  },
);

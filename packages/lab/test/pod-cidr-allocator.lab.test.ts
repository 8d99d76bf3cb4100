import { readFileSync } from 'node:fs';
import { CoordinationV1Api, CoreV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labExec } from '../src/commands/lab-exec.ts';
import { labStatus } from '../src/commands/lab-status.ts';
import { runningPid } from '../src/components/component-runner.ts';
import { componentFiles } from '../src/components/component-table.ts';
import {
  labSkipReason,
  startTestControlPlane,
  type TestControlPlane,
} from '../src/testing/test-control-plane.ts';

const skip = labSkipReason();

// `--pod-cidrs loom`: Loom's leader-elected allocator gives the nodes their podCIDRs, in place
// of kube-controller-manager's, and the route agents route what it gave.
describe.skipIf(skip !== undefined)(
  `lab with loom-pod-cidr-allocator${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    let lab: TestControlPlane;
    const options = () => ({ stateDir: lab.config.stateDir, prefix: lab.config.prefix });

    beforeAll(async () => {
      lab = await startTestControlPlane({ nodes: 2, podCidrs: 'loom' });
    });

    afterAll(async () => {
      await lab?.stop();
    });

    it('runs the allocator and keeps kube-controller-manager from allocating', async () => {
      expect(lab.up.components.map((component) => component.name)).toContain(
        'loom-pod-cidr-allocator',
      );
      const manager = runningPid(lab.config, 'kube-controller-manager')!;
      const flags = readFileSync(`/proc/${manager}/cmdline`, 'utf8').split('\0');
      expect(flags).toContain('--allocate-node-cidrs=false');
      const status = await labStatus(options());
      expect(status.components.find((c) => c.name === 'loom-pod-cidr-allocator')).toMatchObject({
        running: true,
        health: { ok: true },
      });
      const lease = await lab
        .kubeConfig()
        .makeApiClient(CoordinationV1Api)
        .readNamespacedLease({ namespace: 'kube-system', name: 'loom-pod-cidr-allocator' });
      expect(lease.spec?.holderIdentity).toBe(`${lab.config.prefix}lab`);
    });

    it('gets both nodes Ready with distinct /24s of the cluster CIDR that the lab did not set', async () => {
      expect(lab.up.nodes.map((node) => node.ready)).toEqual([true, true]);
      const { items } = await lab.kubeConfig().makeApiClient(CoreV1Api).listNode();
      const cidrs = items.map((node) => node.spec?.podCIDR ?? '');
      expect(new Set(cidrs).size).toBe(2);
      for (const cidr of cidrs) expect(cidr).toMatch(/^10\.244\.\d+\.0\/24$/);
      // The allocator wrote each of them (its log says so), not the lab or the controller
      // manager. Which blocks it chose depends on retries: a 409 moves its cursor on.
      const { logFile } = componentFiles(lab.config, 'loom-pod-cidr-allocator');
      const assigned = readFileSync(logFile, 'utf8')
        .split('\n')
        .filter((line) => line.includes('"assigned pod CIDRs"'))
        .map((line) => JSON.parse(line) as { node: string; podCIDRs: string[] });
      const byNode = Object.fromEntries(assigned.map((entry) => [entry.node, entry.podCIDRs]));
      for (const node of items) {
        expect(byNode[node.metadata?.name ?? '']).toEqual(node.spec?.podCIDRs);
      }
    });

    it('routes each node to the podCIDR the allocator gave the other', async () => {
      const node2 = await lab.kubeConfig().makeApiClient(CoreV1Api).readNode({ name: 'node2' });
      const routes = await labExec('node1', ['ip', 'route', 'show', 'proto', '76'], {
        ...options(),
        capture: true,
      });
      expect(routes.stdout.trim()).toBe(`${node2.spec?.podCIDR} via 192.168.1.12 dev eth0`);
    });
  },
);

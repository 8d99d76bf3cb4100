import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labExec } from '../src/commands/lab-exec.ts';
import { runKubectl } from '../src/commands/lab-kubectl.ts';
import { runningPid } from '../src/components/component-runner.ts';
import {
  labSkipReason,
  startTestControlPlane,
  type TestControlPlane,
} from '../src/testing/test-control-plane.ts';

const skip = labSkipReason();

// `--pod-cidrs loom`: `loom install` adds Loom's leader-elected allocator (a Deployment in
// loom-system), which gives the nodes their podCIDRs in place of kube-controller-manager's,
// and the route agents route what it gave.
describe.skipIf(skip !== undefined)(
  `lab with loom-pod-cidr-allocator${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    let lab: TestControlPlane;
    const options = () => ({ stateDir: lab.config.stateDir, prefix: lab.config.prefix });
    const kubectl = async (args: string[]) => {
      const result = await runKubectl(args, { ...options(), capture: true });
      if (result.exitCode !== 0) throw new Error(`kubectl ${args.join(' ')}: ${result.stderr}`);
      return result.stdout;
    };
    const json = async <T>(args: string[]) =>
      JSON.parse(await kubectl([...args, '-o', 'json'])) as T;

    beforeAll(async () => {
      lab = await startTestControlPlane({ nodes: 2, podCidrs: 'loom' });
    });

    afterAll(async () => {
      await lab?.stop();
    });

    it('installs the allocator and keeps kube-controller-manager from allocating', async () => {
      expect(lab.up.install?.components).toContain('pod-cidr-allocator');
      const manager = runningPid(lab.config, 'kube-controller-manager')!;
      const flags = readFileSync(`/proc/${manager}/cmdline`, 'utf8').split('\0');
      expect(flags).toContain('--allocate-node-cidrs=false');
      const deployment = await json<{ status: { readyReplicas?: number } }>([
        'get',
        'deployment',
        '-n',
        'loom-system',
        'loom-pod-cidr-allocator',
      ]);
      expect(deployment.status.readyReplicas).toBe(2);
      const pods = await json<{ items: Array<{ metadata: { name: string } }> }>([
        'get',
        'pods',
        '-n',
        'loom-system',
        '-l',
        'app.kubernetes.io/component=pod-cidr-allocator',
      ]);
      const lease = await json<{ spec: { holderIdentity?: string } }>([
        'get',
        'lease',
        '-n',
        'loom-system',
        'loom-pod-cidr-allocator',
      ]);
      // One of the two replicas leads, under its pod name.
      expect(pods.items.map((pod) => pod.metadata.name)).toContain(lease.spec.holderIdentity);
    });

    it('gets both nodes Ready with distinct /24s of the cluster CIDR that the lab did not set', async () => {
      expect(lab.up.nodes.map((node) => node.ready)).toEqual([true, true]);
      const { items } = await json<{
        items: Array<{
          metadata: { name: string };
          spec: { podCIDR?: string; podCIDRs?: string[] };
        }>;
      }>(['get', 'nodes']);
      const cidrs = items.map((node) => node.spec.podCIDR ?? '');
      expect(new Set(cidrs).size).toBe(2);
      for (const cidr of cidrs) expect(cidr).toMatch(/^10\.244\.\d+\.0\/24$/);
      // The allocator wrote each of them (the leader's log says so), not the lab or the
      // controller manager. Which blocks it chose depends on retries: a 409 moves its cursor on.
      const lease = await json<{ spec: { holderIdentity: string } }>([
        'get',
        'lease',
        '-n',
        'loom-system',
        'loom-pod-cidr-allocator',
      ]);
      const log = await kubectl(['logs', '-n', 'loom-system', lease.spec.holderIdentity]);
      const assigned = log
        .split('\n')
        .filter((line) => line.includes('"assigned pod CIDRs"'))
        .map((line) => JSON.parse(line) as { node: string; podCIDRs: string[] });
      const byNode = Object.fromEntries(assigned.map((entry) => [entry.node, entry.podCIDRs]));
      for (const node of items) expect(byNode[node.metadata.name]).toEqual(node.spec.podCIDRs);
    });

    it('routes each node to the podCIDR the allocator gave the other', async () => {
      const node2 = await json<{ spec: { podCIDR: string } }>(['get', 'node', 'node2']);
      const routes = await labExec('node1', ['ip', 'route', 'show', 'proto', '76'], {
        ...options(),
        capture: true,
      });
      expect(routes.stdout.trim()).toBe(`${node2.spec.podCIDR} via 192.168.1.12 dev eth0`);
    });
  },
);

import { describe, expect, it } from 'vitest';
import { isLabError } from '../../src/errors.ts';
import { resolveLabConfig } from '../../src/lab-config.ts';
import { planNode, planNodes, resolveNodeSettings } from '../../src/nodes/node-plan.ts';
import { labNamespaces } from '../../src/state/lab-state.ts';

const config = resolveLabConfig({ stateDir: '/var/lib/loom-lab', prefix: 'loom-' }, {});

describe('the node plan', () => {
  it.each([
    { index: 1, ip: '192.168.1.11', podCidr: '10.244.1.0/24' },
    { index: 2, ip: '192.168.1.12', podCidr: '10.244.2.0/24' },
    { index: 3, ip: '192.168.1.13', podCidr: '10.244.3.0/24' },
    { index: 12, ip: '192.168.1.22', podCidr: '10.244.12.0/24' },
  ])('gives node$index the classic topology: $ip, pods in $podCidr', ({ index, ip, podCidr }) => {
    expect(planNode(config, index)).toMatchObject({ name: `node${index}`, ip, podCidr });
  });

  it('keeps every path of a node under the state dir, the socket where the node sees /run/loom', () => {
    expect(planNode(config, 2)).toMatchObject({
      netns: 'loom-node2',
      switchPort: 'node2',
      podNetnsPrefix: 'loom-node2-',
      root: '/var/lib/loom-lab/nodes/node2/root',
      mountNamespace: '/var/lib/loom-lab/mntns/node2',
      runtimeStateDir: '/var/lib/loom-lab/nodes/node2/runtime',
      runtimeSocket: '/var/lib/loom-lab/nodes/node2/root/run/loom/lab-runtime.sock',
    });
  });

  // node1's pod namespaces must not be mistaken for node10's, and the reverse.
  it('gives pod namespaces a prefix no other node shares', () => {
    const prefixes = planNodes(config, 12).map((node) => node.podNetnsPrefix);
    for (const a of prefixes) {
      expect(prefixes.filter((b) => b.startsWith(a) || a.startsWith(b))).toEqual([a]);
    }
  });

  it('records the node namespaces after the switch and the control plane', () => {
    expect(labNamespaces(config, 2)).toEqual([
      'loom-switch',
      'loom-cp',
      'loom-node1',
      'loom-node2',
    ]);
  });
});

describe('node settings', () => {
  const current = { count: 5, cni: 'none', podCidrs: 'controller-manager' } as const;

  it.each([
    { options: {}, was: undefined, want: { count: 3, cni: 'bridge', podCidrs: 'static' } },
    { options: {}, was: current, want: current },
    { options: { nodes: 1 }, was: current, want: { ...current, count: 1 } },
    { options: { cni: 'bridge' as const }, was: current, want: { ...current, cni: 'bridge' } },
    {
      options: { nodes: 0 },
      was: undefined,
      want: { count: 0, cni: 'bridge', podCidrs: 'static' },
    },
  ])('asked $options with $was → $want', ({ options, was, want }) => {
    expect(resolveNodeSettings(options, was)).toEqual(want);
  });

  it.each([
    { options: { nodes: -1 }, message: 'invalid node count "-1"' },
    { options: { nodes: 2.5 }, message: 'invalid node count "2.5"' },
    { options: { nodes: 201 }, message: 'expected a whole number from 0 to 200' },
    {
      options: { cni: 'flannel' as never },
      message: 'invalid CNI "flannel": expected one of bridge, none',
    },
    { options: { podCidrs: 'dhcp' as never }, message: 'invalid pod CIDR mode "dhcp"' },
  ])('refuses $options', ({ options, message }) => {
    let error: unknown;
    try {
      resolveNodeSettings(options, undefined);
    } catch (caught) {
      error = caught;
    }
    expect(isLabError(error, 'LOOM_LAB_BAD_CONFIG')).toBe(true);
    expect((error as Error).message).toContain(message);
  });
});

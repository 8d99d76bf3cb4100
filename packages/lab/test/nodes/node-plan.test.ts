import { describe, expect, it } from 'vitest';
import { isLabError } from '../../src/errors.ts';
import { resolveLabConfig } from '../../src/lab-config.ts';
import {
  planNode,
  planNodes,
  recordedNodeSettings,
  resolveNodeSettings,
} from '../../src/nodes/node-plan.ts';
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

  it.each([
    { index: 3, remote: false, ip: '192.168.1.13', switchNetns: 'loom-switch' },
    { index: 4, remote: true, ip: '192.168.2.14', switchNetns: 'loom-switch2' },
    { index: 5, remote: true, ip: '192.168.2.15', switchNetns: 'loom-switch2' },
  ])('puts node$index of 5 with 2 remote on $ip ($switchNetns)', ({ index, ...placed }) => {
    expect(planNode(config, index, { count: 5, remote: 2 })).toMatchObject({
      ...placed,
      podCidr: `10.244.${index}.0/24`,
    });
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
    const prefixes = planNodes(config, { count: 12, remote: 0 }).map((node) => node.podNetnsPrefix);
    for (const a of prefixes) {
      expect(prefixes.filter((b) => b.startsWith(a) || a.startsWith(b))).toEqual([a]);
    }
  });

  it('records the node namespaces after the switch and the control plane', () => {
    expect(labNamespaces(config, { count: 2, remote: 0 })).toEqual([
      'loom-switch',
      'loom-cp',
      'loom-node1',
      'loom-node2',
    ]);
  });

  it('records the router and the second switch while some nodes are remote', () => {
    expect(labNamespaces(config, { count: 2, remote: 1 })).toEqual([
      'loom-switch',
      'loom-cp',
      'loom-router',
      'loom-switch2',
      'loom-node1',
      'loom-node2',
    ]);
  });
});

describe('node settings', () => {
  const current = { count: 5, remote: 2, cni: 'none', podCidrs: 'controller-manager' } as const;

  it.each([
    {
      options: {},
      was: undefined,
      want: { count: 3, remote: 0, cni: 'loom', podCidrs: 'lab' },
    },
    { options: {}, was: current, want: current },
    { options: { nodes: 6 }, was: current, want: { ...current, count: 6 } },
    // Fewer nodes than were remote: all that are left are.
    { options: { nodes: 1 }, was: current, want: { ...current, count: 1, remote: 1 } },
    { options: { remoteNodes: 0 }, was: current, want: { ...current, remote: 0 } },
    { options: { cni: 'bridge' as const }, was: current, want: { ...current, cni: 'bridge' } },
    {
      options: { podCidrs: 'loom' as const },
      was: current,
      want: { ...current, podCidrs: 'loom' },
    },
    {
      options: { nodes: 0 },
      was: undefined,
      want: { count: 0, remote: 0, cni: 'loom', podCidrs: 'lab' },
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
      message: 'invalid CNI "flannel": expected one of loom, bridge, none',
    },
    { options: { podCidrs: 'dhcp' as never }, message: 'invalid pod CIDR mode "dhcp"' },
    {
      options: { nodes: 2, remoteNodes: 3 },
      message:
        'invalid remote node count "3": expected a whole number from 0 to the node count (2)',
    },
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

describe('node settings recorded by an older lab', () => {
  it.each([
    {
      recorded: { count: 3, cni: 'bridge', podCidrs: 'static' },
      want: { count: 3, remote: 0, cni: 'bridge', podCidrs: 'lab' },
    },
    {
      recorded: { count: 2, remote: 1, cni: 'loom', podCidrs: 'loom' },
      want: { count: 2, remote: 1, cni: 'loom', podCidrs: 'loom' },
    },
    { recorded: undefined, want: undefined },
  ])('$recorded reads as $want', ({ recorded, want }) => {
    expect(recordedNodeSettings(recorded)).toEqual(want);
  });
});

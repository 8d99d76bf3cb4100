import { describe, expect, it } from 'vitest';
import { resolveLabConfig } from '../../src/config/lab-config.ts';
import { planNode, planNodes } from '../../src/nodes/node-plan.ts';

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
});

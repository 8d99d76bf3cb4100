import { describe, expect, it } from 'vitest';
import { resolveLabConfig } from '../../src/config/lab-config.ts';
import { routerCommands } from '../../src/network/router.ts';
import { nodeNetworkCommands } from '../../src/nodes/node-network.ts';
import { planNode } from '../../src/nodes/node-plan.ts';

describe('a node on the underlay', () => {
  it('is a veth from the switch bridge into its namespace, eth0 with its address', () => {
    const config = resolveLabConfig({ stateDir: '/var/lib/loom-lab', prefix: 'loom-a-' }, {});
    expect(nodeNetworkCommands(planNode(config, 3))).toEqual({
      switch: [
        'link add node3 type veth peer name eth0 netns loom-a-node3',
        'link set node3 master br0',
        'link set node3 up',
      ],
      node: ['link set lo up', 'addr add 192.168.1.13/24 dev eth0', 'link set eth0 up'],
    });
  });

  it('puts a remote node on the second switch, reaching the first subnet through the router', () => {
    const config = resolveLabConfig({ stateDir: '/var/lib/loom-lab', prefix: 'loom-a-' }, {});
    const node = planNode(config, 4, { count: 4, remote: 1 });
    expect(node.switchNetns).toBe('loom-a-switch2');
    expect(nodeNetworkCommands(node).node).toEqual([
      'link set lo up',
      'addr add 192.168.2.14/24 dev eth0',
      'link set eth0 up',
      'route replace 192.168.1.0/24 via 192.168.2.1',
    ]);
  });
});

describe('the router', () => {
  it('joins both switches and forwards between 192.168.1.0/24 and 192.168.2.0/24', () => {
    const config = resolveLabConfig({ stateDir: '/var/lib/loom-lab', prefix: 'loom-a-' }, {});
    expect(routerCommands(config)).toEqual({
      switch: [
        'link add router type veth peer name eth0 netns loom-a-router',
        'link set router master br0',
        'link set router up',
      ],
      remoteSwitch: [
        'link set lo up',
        'link add br0 type bridge',
        'link set br0 up',
        'link add router type veth peer name eth1 netns loom-a-router',
        'link set router master br0',
        'link set router up',
      ],
      router: [
        'link set lo up',
        'addr add 192.168.1.1/24 dev eth0',
        'addr add 192.168.2.1/24 dev eth1',
        'link set eth0 up',
        'link set eth1 up',
      ],
    });
  });
});

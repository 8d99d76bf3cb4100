import { describe, expect, it } from 'vitest';
import { resolveLabConfig } from '../../src/lab-config.ts';
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
});

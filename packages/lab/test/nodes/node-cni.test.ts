import { describe, expect, it } from 'vitest';
import { bridgeConflist } from '../../src/nodes/node-cni.ts';

describe('the reference CNI config of a node', () => {
  it('is a bridge that is the gateway of the node podCIDR, host-local, portmap, no masquerade', () => {
    expect(bridgeConflist('10.244.2.0/24')).toEqual({
      cniVersion: '1.0.0',
      name: 'lab-bridge',
      plugins: [
        {
          type: 'bridge',
          bridge: 'cni0',
          isGateway: true,
          ipMasq: false,
          hairpinMode: true,
          ipam: {
            type: 'host-local',
            ranges: [[{ subnet: '10.244.2.0/24' }]],
            routes: [{ dst: '0.0.0.0/0' }],
          },
        },
        { type: 'portmap', capabilities: { portMappings: true } },
      ],
    });
  });
});

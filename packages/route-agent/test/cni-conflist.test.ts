import { describe, expect, it } from 'vitest';
import { renderCniConflist } from '../src/index.ts';
import { cidrs } from './fixtures/nodes.ts';

const base = {
  networkName: 'loom',
  bridge: 'loom0',
  mtu: 1450,
  ipamDataDir: '/var/lib/cni/loom-ipam',
  portmap: false,
};

describe('renderCniConflist', () => {
  it('renders the reference-bridge-compatible loom-cni + loom-ipam config for the node’s pod CIDR', () => {
    const text = renderCniConflist({ ...base, podCidrs: cidrs('10.244.1.0/24') });
    expect(JSON.parse(text)).toEqual({
      cniVersion: '1.1.0',
      name: 'loom',
      plugins: [
        {
          type: 'loom-cni',
          bridge: 'loom0',
          isGateway: true,
          isDefaultGateway: true,
          ipMasq: false,
          mtu: 1450,
          hairpinMode: true,
          ipam: {
            type: 'loom-ipam',
            ranges: [[{ subnet: '10.244.1.0/24' }]],
            dataDir: '/var/lib/cni/loom-ipam',
          },
        },
      ],
    });
    expect(text.endsWith('}\n')).toBe(true);
  });

  it('gives each family its own range set (one address per family) and can chain portmap', () => {
    const config = JSON.parse(
      renderCniConflist({
        ...base,
        portmap: true,
        podCidrs: cidrs('10.244.1.0/24', 'fd00:10:244:1::/64'),
      }),
    );
    expect(config.plugins[0].ipam.ranges).toEqual([
      [{ subnet: '10.244.1.0/24' }],
      [{ subnet: 'fd00:10:244:1::/64' }],
    ]);
    expect(config.plugins[1]).toEqual({ type: 'portmap', capabilities: { portMappings: true } });
  });

  it('is byte-for-byte stable, so an unchanged node rewrites nothing', () => {
    const options = { ...base, podCidrs: cidrs('10.244.1.0/24') };
    expect(renderCniConflist(options)).toBe(renderCniConflist({ ...options }));
  });
});

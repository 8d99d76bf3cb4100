import { describe, expect, it } from 'vitest';
import { ipsOnInterface } from '../../src/libcni/interface-ips.ts';
import { readResult } from '../../src/types/result-versions.ts';

describe('ipsOnInterface (the pod IPs containerd takes from a result)', () => {
  it('takes the IPs on eth0, IPv4 first', () => {
    const result = {
      interfaces: [
        { name: 'cni0' },
        { name: 'veth1' },
        { name: 'eth0', sandbox: '/var/run/netns/x' },
      ],
      ips: [
        { address: '2001:db8::5/64', interface: 2 },
        { address: '198.51.100.5/24', interface: 2 },
        { address: '198.51.100.1/24', interface: 0 },
      ],
    };
    expect(ipsOnInterface(result, 'eth0')).toEqual(['198.51.100.5', '2001:db8::5']);
  });

  it('reads spec 0.2 results and IPs without an interface index', () => {
    const legacy = readResult({ cniVersion: '0.2.0', ip4: { ip: '192.0.2.9/24' } }, '0.2.0', 'r');
    expect(ipsOnInterface(legacy, 'eth0')).toEqual(['192.0.2.9']);
    expect(ipsOnInterface({ ips: [{ address: '192.0.2.7/24' }] }, 'eth0')).toEqual(['192.0.2.7']);
  });
});

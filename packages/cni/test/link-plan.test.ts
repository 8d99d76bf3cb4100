import { parseInterfaceAddress } from '@loom-net/cni-spec';
import { describe, expect, it } from 'vitest';
import { batchWords } from '../src/ip-batch.ts';
import {
  bridgeCreateLines,
  hostSetupLines,
  hostVethName,
  type LinkPlan,
  podSetupLines,
  randomMac,
} from '../src/link-plan.ts';

const plan: LinkPlan = {
  bridge: 'loom0',
  bridgeMac: '02:00:00:00:00:01',
  hostVeth: 'veth0123456789a',
  hostMac: '02:00:00:00:00:02',
  podInterface: 'eth0',
  podMac: '02:00:00:00:00:03',
  podNetnsPath: '/var/run/netns/pod1',
  mtu: 1400,
  hairpin: true,
  isolated: false,
  promisc: false,
  gatewayAddresses: [
    parseInterfaceAddress('10.244.1.1/24'),
    parseInterfaceAddress('fd00:10:244:1::1/64'),
  ],
  podAddresses: [
    parseInterfaceAddress('10.244.1.5/24'),
    parseInterfaceAddress('fd00:10:244:1::5/64'),
  ],
  podRoutes: [
    { dst: '0.0.0.0/0', gw: '10.244.1.1' },
    { dst: '::/0', gw: 'fd00:10:244:1::1' },
    { dst: '192.168.0.0/16', priority: 5, table: 100 },
  ],
  noDad: true,
};

describe('link plan', () => {
  it('creates the bridge with a fixed MAC, so its address does not follow the ports, with its gateways', () => {
    expect(bridgeCreateLines(plan)).toEqual([
      'link add loom0 address 02:00:00:00:00:01 mtu 1400 type bridge',
      'addr replace 10.244.1.1/24 dev loom0',
      'addr replace fd00:10:244:1::1/64 dev loom0 nodad',
    ]);
    expect(bridgeCreateLines({ ...plan, mtu: undefined, gatewayAddresses: [] })).toEqual([
      'link add loom0 address 02:00:00:00:00:01 type bridge',
    ]);
  });

  it('sets up the host side in one batch, the pod end created inside the pod namespace', () => {
    expect(hostSetupLines(plan)).toEqual([
      'link set dev loom0 up',
      'link add veth0123456789a mtu 1400 address 02:00:00:00:00:02 type veth peer name eth0 mtu 1400 address 02:00:00:00:00:03 netns /var/run/netns/pod1',
      'link set dev veth0123456789a master loom0',
      'link set dev veth0123456789a type bridge_slave hairpin on',
      'link set dev veth0123456789a up',
    ]);
  });

  it('leaves out MTU and port flags that are not asked for; sets promiscuous mode on any bridge', () => {
    expect(
      hostSetupLines({
        ...plan,
        mtu: undefined,
        hairpin: false,
        isolated: true,
        promisc: true,
      }),
    ).toEqual([
      'link set dev loom0 up',
      'link set dev loom0 promisc on',
      'link add veth0123456789a address 02:00:00:00:00:02 type veth peer name eth0 address 02:00:00:00:00:03 netns /var/run/netns/pod1',
      'link set dev veth0123456789a master loom0',
      'link set dev veth0123456789a type bridge_slave isolated on',
      'link set dev veth0123456789a up',
    ]);
  });

  it('quotes a netns path with whitespace for ip -batch and refuses one it cannot read', () => {
    const vethLine = (path: string) => hostSetupLines({ ...plan, podNetnsPath: path })[1]!;
    expect(vethLine('/run/pods/pod 1/net')).toMatch(/ netns "\/run\/pods\/pod 1\/net"$/);
    expect(batchWords(vethLine('/run/pods/pod 1/net')).at(-1)).toBe('/run/pods/pod 1/net');
    expect(() => vethLine('/run/pods/pod#1/net')).toThrow(
      'netns path "/run/pods/pod#1/net" cannot go in ip -batch',
    );
  });

  it('configures the pod: link up, addresses without DAD, routes', () => {
    expect(podSetupLines(plan)).toEqual([
      'link set dev eth0 up',
      'addr add 10.244.1.5/24 dev eth0',
      'addr add fd00:10:244:1::5/64 dev eth0 nodad',
      'route add 0.0.0.0/0 via 10.244.1.1 dev eth0',
      'route add ::/0 via fd00:10:244:1::1 dev eth0',
      'route add 192.168.0.0/16 dev eth0 metric 5 table 100',
    ]);
    expect(podSetupLines({ ...plan, noDad: false })[2]).toBe(
      'addr add fd00:10:244:1::5/64 dev eth0',
    );
  });

  it('names the host end from the attachment: stable, distinct, at most 15 bytes', () => {
    const a = hostVethName('net1', { containerId: 'c1', ifname: 'eth0' });
    expect(a).toMatch(/^veth[0-9a-f]{11}$/);
    expect(hostVethName('net1', { containerId: 'c1', ifname: 'eth0' })).toBe(a);
    expect(hostVethName('net1', { containerId: 'c1', ifname: 'eth1' })).not.toBe(a);
    expect(hostVethName('net2', { containerId: 'c1', ifname: 'eth0' })).not.toBe(a);
  });

  it('makes locally administered unicast MACs', () => {
    for (let i = 0; i < 50; i++) {
      const mac = randomMac();
      expect(mac).toMatch(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
      expect(Number.parseInt(mac.slice(0, 2), 16) & 0b11).toBe(0b10);
    }
  });
});

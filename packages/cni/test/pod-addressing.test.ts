import { formatInterfaceAddress } from '@loom-net/cni-spec';
import { describe, expect, it } from 'vitest';
import type { BridgeConfig } from '../src/bridge-config.ts';
import { planPodAddressing } from '../src/pod-addressing.ts';

const base: BridgeConfig = {
  network: 'net1',
  bridge: 'loom0',
  isGateway: true,
  isDefaultGateway: true,
  forceAddress: false,
  ipMasq: false,
  mtu: undefined,
  hairpinMode: true,
  promiscMode: false,
  portIsolation: false,
  enableDad: false,
  mac: undefined,
  ipamType: 'loom-ipam',
  dns: undefined,
};

describe('planPodAddressing', () => {
  it('puts each gateway on the bridge and routes each family by default through it', () => {
    const plan = planPodAddressing(
      {
        ips: [
          { address: '10.244.1.5/24', gateway: '10.244.1.1' },
          { address: 'fd00::5/64', gateway: 'fd00::1' },
        ],
      },
      base,
      'loom-ipam',
    );
    expect(plan.gatewayAddresses.map(formatInterfaceAddress)).toEqual([
      '10.244.1.1/24',
      'fd00::1/64',
    ]);
    expect(plan.routes).toEqual([
      { dst: '0.0.0.0/0', gw: '10.244.1.1' },
      { dst: '::/0', gw: 'fd00::1' },
    ]);
    expect(plan.podRoutes).toEqual(plan.routes);
  });

  it("computes a missing gateway as the subnet's first address, as the reference plugin", () => {
    const plan = planPodAddressing({ ips: [{ address: '10.1.0.5/16' }] }, base, 'host-local');
    expect(plan.ips).toEqual([{ address: '10.1.0.5/16', gateway: '10.1.0.1' }]);
  });

  it('does not add a second default route when IPAM routes the default, and fills its gateway', () => {
    const plan = planPodAddressing(
      { ips: [{ address: '10.1.0.5/16', gateway: '10.1.0.1' }], routes: [{ dst: '0.0.0.0/0' }] },
      base,
      'host-local',
    );
    expect(plan.routes).toEqual([{ dst: '0.0.0.0/0' }]);
    expect(plan.podRoutes).toEqual([{ dst: '0.0.0.0/0', gw: '10.1.0.1' }]);
  });

  it('adds no gateway address and no default route when the bridge is not the gateway', () => {
    const plan = planPodAddressing(
      { ips: [{ address: '10.1.0.5/16' }] },
      { ...base, isGateway: false, isDefaultGateway: false },
      'host-local',
    );
    expect(plan).toMatchObject({
      gatewayAddresses: [],
      routes: [],
      ips: [{ address: '10.1.0.5/16' }],
    });
  });

  it('fails with 106 when IPAM returns no address', () => {
    expect(() => planPodAddressing({ ips: [] }, base, 'host-local')).toThrow(
      /IPAM plugin host-local returned no address/,
    );
  });
});

import { CNI_ERROR, type CniError } from '@loom-net/cni-spec';
import { type CniRequest, parseCniEnvironment } from '@loom-net/cni-spec/skel';
import { describe, expect, it } from 'vitest';
import { parseBridgeConfig } from '../src/bridge-config.ts';

function request(config: Record<string, unknown>, cniArgs = ''): CniRequest {
  const env = parseCniEnvironment({
    CNI_COMMAND: 'ADD',
    CNI_CONTAINERID: 'c1',
    CNI_NETNS: '/var/run/netns/p',
    CNI_IFNAME: 'eth0',
    CNI_ARGS: cniArgs,
  });
  const full = { cniVersion: '1.1.0', name: 'net1', type: 'loom-cni', ...config };
  return { env, stdin: JSON.stringify(full), config: full, cniVersion: '1.1.0', network: 'net1' };
}

function failure(config: Record<string, unknown>, cniArgs = ''): CniError {
  try {
    parseBridgeConfig(request(config, cniArgs));
  } catch (error) {
    return error as CniError;
  }
  throw new Error('expected parseBridgeConfig to fail');
}

describe('parseBridgeConfig', () => {
  it('defaults to a gateway bridge loom0 with a default route, hairpin on, no masquerade', () => {
    expect(parseBridgeConfig(request({ ipam: { type: 'loom-ipam' } }))).toEqual({
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
    });
  });

  it("reads the reference bridge plugin's keys", () => {
    const config = parseBridgeConfig(
      request({
        bridge: 'cni0',
        isGateway: true,
        isDefaultGateway: false,
        ipMasq: true,
        mtu: 1450,
        hairpinMode: false,
        promiscMode: true,
        portIsolation: true,
        enabledad: true,
        forceAddress: true,
        ipMasqBackend: 'nftables',
        ipam: { type: 'host-local', subnet: '10.1.0.0/16' },
        dns: { nameservers: ['10.96.0.10'], search: [] },
      }),
    );
    expect(config).toMatchObject({
      bridge: 'cni0',
      isGateway: true,
      isDefaultGateway: false,
      ipMasq: true,
      mtu: 1450,
      hairpinMode: false,
      promiscMode: true,
      portIsolation: true,
      enableDad: true,
      forceAddress: true,
      ipamType: 'host-local',
      dns: { nameservers: ['10.96.0.10'], search: [] },
    });
  });

  it('makes isDefaultGateway imply isGateway, and turns hairpin off by default under promiscMode', () => {
    expect(parseBridgeConfig(request({ isGateway: false }))).toMatchObject({
      isGateway: true,
      isDefaultGateway: true,
    });
    expect(parseBridgeConfig(request({ isGateway: false, isDefaultGateway: false }))).toMatchObject(
      { isGateway: false },
    );
    expect(parseBridgeConfig(request({ promiscMode: true }))).toMatchObject({
      hairpinMode: false,
      promiscMode: true,
    });
  });

  it('builds a layer-2 attachment when there is no ipam section', () => {
    expect(parseBridgeConfig(request({})).ipamType).toBeUndefined();
    expect(parseBridgeConfig(request({ ipam: {} })).ipamType).toBeUndefined();
  });

  it('takes the pod MAC from the capability first, then args.cni, then CNI_ARGS', () => {
    const mac = (config: Record<string, unknown>, cniArgs = '') =>
      parseBridgeConfig(request(config, cniArgs)).mac;
    expect(mac({}, 'MAC=02:00:00:00:00:0A')).toBe('02:00:00:00:00:0a');
    expect(mac({ args: { cni: { mac: '02:00:00:00:00:0b' } } }, 'MAC=02:00:00:00:00:0a')).toBe(
      '02:00:00:00:00:0b',
    );
    expect(
      mac({
        runtimeConfig: { mac: '02:00:00:00:00:0c' },
        args: { cni: { mac: '02:00:00:00:00:0b' } },
      }),
    ).toBe('02:00:00:00:00:0c');
  });

  it.each([
    { name: 'vlan', config: { vlan: 100 }, says: 'unsupported field vlan: 100' },
    { name: 'vlanTrunk', config: { vlanTrunk: [{ id: 5 }] }, says: 'unsupported field vlanTrunk' },
    {
      name: 'macspoofchk',
      config: { macspoofchk: true },
      says: 'unsupported field macspoofchk: true',
    },
    {
      name: 'disableContainerInterface',
      config: { disableContainerInterface: true },
      says: 'disableContainerInterface',
    },
    {
      name: 'iptables masquerading',
      config: { ipMasqBackend: 'iptables' },
      says: 'unsupported field ipMasqBackend: "iptables"',
    },
  ])('refuses $name with code 2, naming key and value', ({ config, says }) => {
    const error = failure(config);
    expect(error.code).toBe(CNI_ERROR.unsupportedField);
    expect(error.message).toContain(says);
  });

  it.each([
    {
      name: 'a bridge name too long',
      config: { bridge: 'a-very-long-bridge0' },
      says: 'bridge "a-very-long-bridge0" is not a valid interface name',
    },
    { name: 'a non-boolean flag', config: { ipMasq: 'yes' }, says: 'ipMasq must be true or false' },
    { name: 'a tiny MTU', config: { mtu: 40 }, says: 'mtu must be an integer from 68 to 65535' },
    { name: 'a fractional MTU', config: { mtu: 1500.5 }, says: 'mtu must be an integer' },
    {
      name: 'hairpin with promiscuous mode',
      config: { hairpinMode: true, promiscMode: true },
      says: 'cannot both be true',
    },
    {
      name: 'an ipam without type',
      config: { ipam: { subnet: '10.0.0.0/24' } },
      says: 'ipam.type must name an IPAM plugin',
    },
    {
      name: 'an ipam type with a slash',
      config: { ipam: { type: '../host-local' } },
      says: 'ipam.type must name',
    },
    {
      name: 'a malformed MAC',
      config: { runtimeConfig: { mac: '02:00:00' } },
      says: 'runtimeConfig.mac "02:00:00" is not a MAC address',
    },
    {
      name: 'a multicast MAC',
      config: { runtimeConfig: { mac: '01:00:5e:00:00:01' } },
      says: 'is a multicast MAC address',
    },
    {
      name: 'bad dns',
      config: { dns: { nameservers: '10.96.0.10' } },
      says: 'dns.nameservers: expected a list',
    },
  ])('refuses $name with code 7', ({ config, says }) => {
    const error = failure(config);
    expect(error.code).toBe(CNI_ERROR.invalidConfig);
    expect(error.message).toContain(says);
  });
});

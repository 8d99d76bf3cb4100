import { CNI_ERROR, type CniError, parseInterfaceAddress } from '@loom-net/cni-spec';
import { parseIpLinks } from '@loom-net/core/kernel';
import { describe, expect, it } from 'vitest';
import { bridgeAddressChange, bridgeAddressLines, heldAddresses } from '../src/bridge-addresses.ts';

const a = parseInterfaceAddress;
const v4 = a('10.244.1.1/24');
const v6 = a('fd00:10:244:1::1/64');
const linkLocal = a('fe80::1c2e:3ff:fe4a:5b6c/64');

function lines(held: string[], gateways = [v4, v6], force = false): string[] {
  return bridgeAddressLines('loom0', bridgeAddressChange('loom0', held.map(a), gateways, force));
}

function conflict(held: string[], gateways = [v4, v6]): CniError | undefined {
  try {
    bridgeAddressChange('loom0', held.map(a), gateways, false);
    return undefined;
  } catch (error) {
    return error as CniError;
  }
}

describe('gateway addresses on the bridge (the reference plugin ensureAddr)', () => {
  it('changes nothing when the bridge holds its gateways, next to a link-local address', () => {
    expect(lines(['10.244.1.1/24', 'fd00:10:244:1::1/64', 'fe80::1c2e:3ff:fe4a:5b6c/64'])).toEqual(
      [],
    );
  });

  it('adds missing gateways, IPv6 without DAD', () => {
    expect(lines([])).toEqual([
      'addr replace 10.244.1.1/24 dev loom0',
      'addr replace fd00:10:244:1::1/64 dev loom0 nodad',
    ]);
    expect(lines(['10.244.1.1/24', 'fe80::1/64'])).toEqual([
      'addr replace fd00:10:244:1::1/64 dev loom0 nodad',
    ]);
  });

  it.each([
    ['another IPv4 subnet', ['10.9.9.1/24'], '10.244.1.1/24', '10.9.9.1/24'],
    [
      'the same IPv4 address with another prefix',
      ['10.244.1.1/16'],
      '10.244.1.1/24',
      '10.244.1.1/16',
    ],
    ['another address of the IPv4 subnet', ['10.244.1.7/24'], '10.244.1.1/24', '10.244.1.7/24'],
    [
      'an overlapping IPv6 subnet',
      ['10.244.1.1/24', 'fd00:10:244::1/48'],
      'fd00:10:244:1::1/64',
      'fd00:10:244::1/48',
    ],
  ])('refuses %s without forceAddress (code 108, the reference message)', (_, held, gw, old) => {
    expect(conflict(held)).toMatchObject({
      code: CNI_ERROR.bridgeAddressConflict,
      message: `"loom0" already has an IP address different from ${gw}`,
      details: `it holds ${old}; set forceAddress to replace that, or remove it from loom0`,
    });
    expect(lines(held, [v4, v6], true)).toEqual(
      expect.arrayContaining([
        `addr del ${old} dev loom0`,
        gw.includes(':') ? `addr replace ${gw} dev loom0 nodad` : `addr replace ${gw} dev loom0`,
      ]),
    );
    expect(lines(held, [v4, v6], true)[0]).toBe(`addr del ${old} dev loom0`);
  });

  it('lets IPv6 addresses of other subnets stay, with or without forceAddress', () => {
    expect(conflict(['10.244.1.1/24', 'fd00:99::1/64'])).toBeUndefined();
    expect(lines(['10.244.1.1/24', 'fd00:99::1/64'], [v4, v6], true)).toEqual([
      'addr replace fd00:10:244:1::1/64 dev loom0 nodad',
    ]);
  });

  it("never counts the network's own other gateways as in the way (two IPv4 ranges)", () => {
    const second = a('10.245.1.1/24');
    expect(lines(['10.244.1.1/24'], [v4, second])).toEqual([
      'addr replace 10.245.1.1/24 dev loom0',
    ]);
    expect(lines([], [v4, second])).toHaveLength(2);
  });

  it('reads addresses from ip -json addr show', () => {
    expect(
      heldAddresses(
        parseIpLinks([
          {
            ifname: 'loom0',
            address: '02:00:00:00:00:01',
            addr_info: [
              { family: 'inet', local: '10.244.1.1', prefixlen: 24 },
              { family: 'inet6', local: 'fe80::1c2e:3ff:fe4a:5b6c', prefixlen: 64 },
              { family: 'inet', local: 'not-an-address', prefixlen: 24 },
            ],
          },
        ])[0],
      ),
    ).toEqual([v4, linkLocal]);
    expect(heldAddresses(undefined)).toEqual([]);
  });
});

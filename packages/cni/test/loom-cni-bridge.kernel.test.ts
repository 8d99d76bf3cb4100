// A bridge that exists before loom-cni's first ADD: its addresses (forceAddress, as the
// reference plugin's ensureAddr) and its promiscuous mode.
import { ipBatch, ipLinks } from '@loom-net/core/kernel';
import { netnsSkipReason } from '@loom-net/core/testing';
import { describe, expect, it } from 'vitest';
import { useCniFixture } from './cni-fixture.ts';

describe.skipIf(netnsSkipReason() !== undefined)('loom-cni on a bridge that already exists', () => {
  const f = useCniFixture();
  const { newPod, config, call, addOk, podLink, allocations, hostVeths, ping } = f;

  const bridge = async () =>
    (await ipLinks(f.host.runner, ['-d', 'addr', 'show', 'dev', 'loom0']))[0]!;
  // Link-local addresses come and go with the bridge's carrier: only the others are compared.
  const bridgeAddresses = async () =>
    (await bridge()).addr_info
      .filter((a) => a.scope !== 'link')
      .map((a) => `${a.local}/${a.prefixlen}`)
      .sort();
  const makeBridge = (...addresses: string[]) =>
    ipBatch(f.host.runner, [
      'link add loom0 type bridge',
      ...addresses.map((a) => `addr add ${a} dev loom0${a.includes(':') ? ' nodad' : ''}`),
      'link set dev loom0 up',
    ]);

  it.each([
    {
      held: ['10.9.9.1/24'],
      gateway: '10.244.1.1/24',
      inTheWay: '10.9.9.1/24',
    },
    {
      held: ['10.244.1.1/24', 'fd00:10:244::1/48'],
      gateway: 'fd00:10:244:1::1/64',
      inTheWay: 'fd00:10:244::1/48',
    },
  ])(
    'refuses a bridge holding $inTheWay in the way of $gateway (108) and leaves nothing behind',
    async ({ held, gateway, inTheWay }) => {
      await makeBridge(...held);
      const pod = await newPod();
      const add = await call('ADD', pod, 'c-conflict', config());
      expect(add.exitCode, add.stderr).toBe(1);
      expect(add.json).toEqual({
        cniVersion: '1.1.0',
        code: 108,
        msg: `"loom0" already has an IP address different from ${gateway}`,
        details: `it holds ${inTheWay}; set forceAddress to replace that, or remove it from loom0`,
      });
      expect(add.stderr).toBe('');
      // The bridge keeps its addresses; the veth and the allocation are rolled back.
      expect(await bridgeAddresses()).toEqual([...held].sort());
      expect(await hostVeths()).toEqual([]);
      expect(await podLink(pod)).toBeUndefined();
      expect(allocations()).toEqual([]);
    },
  );

  it('replaces what is in the way with forceAddress, keeping IPv6 addresses of other subnets', async () => {
    await makeBridge('10.9.9.1/24', 'fd00:10:244::1/48', 'fd00:99::1/64');
    const forced = config({ forceAddress: true });
    const pod = await newPod();
    await addOk(pod, 'c-forced', forced);
    const expected = ['10.244.1.1/24', 'fd00:10:244:1::1/64', 'fd00:99::1/64'];
    expect(await bridgeAddresses()).toEqual(expected);
    await ping(pod, '10.244.1.1');
    await ping(pod, 'fd00:10:244:1::1');
    // Once the bridge holds its gateways, later ADDs change nothing, forced or not.
    await addOk(await newPod(), 'c-later', config());
    await addOk(await newPod(), 'c-later-forced', forced);
    expect(await bridgeAddresses()).toEqual(expected);
    expect(allocations()).toHaveLength(6);
  });

  it('makes a bridge that exists promiscuous under promiscMode (hairpin off)', async () => {
    await makeBridge();
    expect((await bridge()).flags).not.toContain('PROMISC');
    const pod = await newPod();
    await addOk(pod, 'c-promisc', config({ promiscMode: true }));
    expect((await bridge()).flags).toContain('PROMISC');
    const [veth] = await hostVeths();
    expect(veth?.linkinfo?.info_slave_data?.hairpin).toBe(false);
    await ping(pod, '10.244.1.1');
  });

  it('creates a promiscuous bridge holding its gateways when there is none', async () => {
    await addOk(await newPod(), 'c-new', config({ promiscMode: true }));
    expect((await bridge()).flags).toContain('PROMISC');
    expect(await bridgeAddresses()).toEqual(['10.244.1.1/24', 'fd00:10:244:1::1/64']);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bridgeBatch,
  bridgeFdb,
  ipBatch,
  ipLinks,
  ipNeighbours,
  ipRoutes,
} from '../../src/kernel/index.ts';
import {
  canUseNetns,
  createTestNetns,
  kernelSuiteTitle,
  type TestNetns,
} from '../../src/testing/index.ts';

// What the route agent and the CNI plugin read, from the real iproute2 in a throwaway netns.
describe.skipIf(!canUseNetns())(kernelSuiteTitle('typed ip -json readers'), () => {
  let ns: TestNetns;
  beforeAll(async () => {
    ns = await createTestNetns();
    await ipBatch(ns.runner, [
      'link add d0 type veth peer name d1',
      'link set d0 up',
      'link set d1 up',
      'addr add 192.0.2.1/24 dev d0',
      'route add 198.51.100.0/24 via 192.0.2.2 proto 76',
      'route add 203.0.113.5 via 192.0.2.3 dev d0 onlink',
      'link add loom.vxlan type vxlan id 1 local 192.0.2.1 dstport 8472 nolearning',
      'link set loom.vxlan up',
      'neigh add 10.244.3.0 lladdr 0e:4c:c0:a8:01:0d dev loom.vxlan nud permanent',
    ]);
    await bridgeBatch(ns.runner, [
      'fdb append 0e:4c:c0:a8:01:0d dev loom.vxlan dst 192.0.2.7 self permanent',
    ]);
  });
  afterAll(() => ns?.cleanup());

  it('reads links with their addresses and VXLAN settings', async () => {
    const links = await ipLinks(ns.runner, ['-details', 'address', 'show']);
    const d0 = links.find((link) => link.ifname === 'd0');
    const vxlan = links.find((link) => link.ifname === 'loom.vxlan');
    expect(d0).toMatchObject({ mtu: 1500, linkinfo: { info_kind: 'veth' } });
    expect(d0?.flags).toContain('UP');
    expect(d0?.addr_info).toContainEqual({
      family: 'inet',
      local: '192.0.2.1',
      prefixlen: 24,
      scope: 'global',
    });
    expect(vxlan?.linkinfo).toMatchObject({
      info_kind: 'vxlan',
      info_data: { id: 1, local: '192.0.2.1', port: 8472, learning: false },
    });
    expect(vxlan?.address).toMatch(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
  });

  it('reads routes, protocols as numbers with -Numeric, host routes without a prefix', async () => {
    const routes = await ipRoutes(ns.runner, ['-Numeric', '-4', 'route', 'show', 'table', 'main']);
    expect(routes).toContainEqual({
      dst: '198.51.100.0/24',
      gateway: '192.0.2.2',
      dev: 'd0',
      protocol: '76',
      flags: [],
    });
    expect(routes).toContainEqual({
      dst: '203.0.113.5',
      gateway: '192.0.2.3',
      dev: 'd0',
      flags: ['onlink'],
    });
  });

  it("reads a device's neighbours and its forwarding entries", async () => {
    expect(await ipNeighbours(ns.runner, ['neigh', 'show', 'dev', 'loom.vxlan'])).toEqual([
      { dst: '10.244.3.0', lladdr: '0e:4c:c0:a8:01:0d', state: ['PERMANENT'] },
    ]);
    expect(await bridgeFdb(ns.runner, ['fdb', 'show', 'dev', 'loom.vxlan'])).toContainEqual({
      mac: '0e:4c:c0:a8:01:0d',
      dst: '192.0.2.7',
      flags: ['self'],
      state: 'permanent',
    });
  });
});

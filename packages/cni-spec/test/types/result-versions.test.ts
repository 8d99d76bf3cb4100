import { describe, expect, it } from 'vitest';
import { CNI_ERROR, type CniError } from '../../src/types/cni-error.ts';
import type { CniResult } from '../../src/types/cni-result.ts';
import { readResult, writeResult } from '../../src/types/result-versions.ts';
import { ALL_CNI_VERSIONS } from '../../src/version/cni-version.ts';

const dualStack: CniResult = {
  interfaces: [{ name: 'eth0', sandbox: '/var/run/netns/pod' }],
  ips: [
    { address: '192.0.2.9/24', gateway: '192.0.2.1', interface: 0 },
    { address: '2001:db8::9/64', interface: 0 },
  ],
  routes: [{ dst: '0.0.0.0/0', gw: '192.0.2.1' }, { dst: '::/0' }],
  dns: { nameservers: ['192.0.2.53'] },
};

describe('readResult (libcni: a result in its own version, else the config version)', () => {
  it('reads spec 0.2.0 results: ip4 and ip6 with their routes', () => {
    const legacy = {
      cniVersion: '0.2.0',
      ip4: { ip: '192.0.2.9/24', gateway: '192.0.2.1', routes: [{ dst: '0.0.0.0/0' }] },
      ip6: { ip: '2001:db8::9/64' },
      dns: { nameservers: ['192.0.2.53'] },
    };
    expect(readResult(legacy, '1.0.0', 'result')).toEqual({
      ips: [{ address: '192.0.2.9/24', gateway: '192.0.2.1' }, { address: '2001:db8::9/64' }],
      routes: [{ dst: '0.0.0.0/0' }],
      dns: { nameservers: ['192.0.2.53'] },
    });
  });

  it('takes the config version for a result without cniVersion', () => {
    expect(readResult({ ip4: { ip: '192.0.2.9/24' } }, '0.1.0', 'result')).toEqual({
      ips: [{ address: '192.0.2.9/24' }],
    });
    expect(readResult({ ips: [{ address: '192.0.2.7/24' }] }, '1.0.0', 'result')).toEqual({
      ips: [{ address: '192.0.2.7/24' }],
    });
  });

  it('refuses a version it does not know with code 1', () => {
    try {
      readResult({ cniVersion: '9.0.0' }, '1.0.0', 'the result of plugin x');
      expect.unreachable();
    } catch (error) {
      expect((error as CniError).code).toBe(CNI_ERROR.incompatibleVersion);
      expect((error as Error).message).toContain('the result of plugin x');
    }
  });
});

describe('writeResult (libcni GetAsVersion)', () => {
  it.each(ALL_CNI_VERSIONS)(
    'writes %s so that readResult gives the same addresses back',
    (version) => {
      const written = writeResult(dualStack, version);
      expect(written.cniVersion).toBe(version);
      expect(readResult(written, version, 'result').ips?.map((ip) => ip.address)).toEqual([
        '192.0.2.9/24',
        '2001:db8::9/64',
      ]);
    },
  );

  it('spells 0.2.0 with one address per family, routes by their family', () => {
    expect(writeResult(dualStack, '0.2.0')).toEqual({
      cniVersion: '0.2.0',
      ip4: {
        ip: '192.0.2.9/24',
        gateway: '192.0.2.1',
        routes: [{ dst: '0.0.0.0/0', gw: '192.0.2.1' }],
      },
      ip6: { ip: '2001:db8::9/64', routes: [{ dst: '::/0' }] },
      dns: { nameservers: ['192.0.2.53'] },
    });
  });

  it('cannot spell a result without addresses in 0.2.0', () => {
    expect(() => writeResult({}, '0.2.0')).toThrow(/has no IP address/);
  });
});

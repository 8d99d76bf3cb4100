import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { CNI_ERROR, type CniError } from '@loom-net/cni-spec';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { storePath } from '../src/allocation-store.ts';
import { type IpamConfig, parseIpamConfig } from '../src/ipam-config.ts';
import {
  allocateAddresses,
  checkAddresses,
  checkAllocatorStatus,
  releaseAddresses,
  releaseStaleAddresses,
} from '../src/ipam-operations.ts';

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'loom-ipam-test-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

function config(
  ipam: Record<string, unknown> = {},
  args = new Map<string, string>(),
  extra: Record<string, unknown> = {},
): IpamConfig {
  const ranges = [[{ subnet: '10.0.0.0/29' }], [{ subnet: 'fd00::/120' }]];
  return parseIpamConfig({
    config: { name: 'net1', ipam: { type: 'loom-ipam', dataDir, ranges, ...ipam }, ...extra },
    network: 'net1',
    args,
  });
}

const pod = (n: number, ifname = 'eth0') => ({ containerId: `pod${n}`, ifname });
const addresses = (c: IpamConfig, n: number) =>
  (allocateAddresses(c, pod(n)).ips ?? []).map((ip) => ip.address);

function codeOf(work: () => unknown): number | undefined {
  try {
    work();
  } catch (error) {
    return (error as CniError).code;
  }
  return undefined;
}

function rows(): Array<{ address: string; container_id: string; ifname: string }> {
  const db = new DatabaseSync(storePath(dataDir, 'net1'));
  try {
    return db
      .prepare('SELECT address, container_id, ifname FROM allocations ORDER BY address')
      .all() as never;
  } finally {
    db.close();
  }
}

describe('loom-ipam allocation', () => {
  it('hands out one address per range set, with gateways and configured routes', () => {
    const c = config({ routes: [{ dst: '0.0.0.0/0' }] });
    expect(allocateAddresses(c, pod(1))).toEqual({
      ips: [
        { address: '10.0.0.2/29', gateway: '10.0.0.1' },
        { address: 'fd00::2/120', gateway: 'fd00::1' },
      ],
      routes: [{ dst: '0.0.0.0/0' }],
    });
    expect(addresses(c, 2)).toEqual(['10.0.0.3/29', 'fd00::3/120']);
  });

  it('gives a repeated ADD of the same attachment the same addresses', () => {
    const c = config();
    const first = addresses(c, 1);
    expect(addresses(c, 1)).toEqual(first);
    expect(rows()).toHaveLength(2);
    expect(allocateAddresses(c, pod(1, 'net1')).ips?.[0]?.address).toBe('10.0.0.3/29');
  });

  it('releases on DEL, idempotently, and round-robins instead of reusing at once', () => {
    const c = config();
    addresses(c, 1);
    addresses(c, 2);
    expect(
      releaseAddresses(c, pod(1))
        .map((r) => r.address)
        .sort(),
    ).toEqual(['10.0.0.2', 'fd00::2']);
    expect(releaseAddresses(c, pod(1))).toEqual([]);
    expect(addresses(c, 3)[0]).toBe('10.0.0.4/29');
  });

  it('releases nothing and creates nothing when DEL finds no database', () => {
    expect(releaseAddresses(config(), pod(1))).toEqual([]);
    expect(() => rows()).toThrow();
  });

  it('fails with code 102 and a clear message when a range set is exhausted, keeping the others', () => {
    const c = config();
    for (let i = 1; i <= 5; i++) addresses(c, i);
    try {
      allocateAddresses(c, pod(6));
      expect.unreachable();
    } catch (error) {
      expect((error as CniError).code).toBe(CNI_ERROR.rangeExhausted);
      expect((error as Error).message).toBe(
        'no free address in range set 0 (10.0.0.0/29 10.0.0.1-10.0.0.6) of network net1: all 5 allocatable addresses are in use',
      );
    }
    // The failed ADD took nothing from the IPv6 set either (one transaction).
    expect(rows().filter((r) => r.container_id === 'pod6')).toEqual([]);
    releaseAddresses(c, pod(3));
    expect(addresses(c, 6)[0]).toBe('10.0.0.4/29');
  });

  it('honours a requested address and refuses one that is taken', () => {
    const c = config({}, new Map([['IP', '10.0.0.5']]));
    expect(addresses(c, 1)).toEqual(['10.0.0.5/29', 'fd00::2/120']);
    expect(codeOf(() => allocateAddresses(c, pod(2)))).toBe(CNI_ERROR.addressInUse);
    expect(codeOf(() => allocateAddresses(config({}, new Map([['IP', '10.0.0.1']])), pod(3)))).toBe(
      CNI_ERROR.invalidConfig,
    );
  });

  it('GC releases every allocation not in the valid attachments', () => {
    const c = config();
    for (let i = 1; i <= 4; i++) addresses(c, i);
    const released = releaseStaleAddresses(c, [pod(2), pod(4)]);
    expect(released.map((r) => r.containerId).sort()).toEqual(['pod1', 'pod1', 'pod3', 'pod3']);
    expect(new Set(rows().map((r) => r.container_id))).toEqual(new Set(['pod2', 'pod4']));
    expect(releaseStaleAddresses(c, [])).toHaveLength(4);
    expect(rows()).toEqual([]);
  });

  it('CHECK passes for held addresses and fails with 107 otherwise', () => {
    const c = config();
    addresses(c, 1);
    expect(() => checkAddresses(c, pod(1), ['10.0.0.2', 'fd00::2'])).not.toThrow();
    expect(codeOf(() => checkAddresses(c, pod(1), ['10.0.0.3']))).toBe(CNI_ERROR.checkFailed);
    expect(codeOf(() => checkAddresses(c, pod(2), []))).toBe(CNI_ERROR.checkFailed);
  });

  it('STATUS is ready until a range set runs out, then answers 50', () => {
    const c = config();
    expect(() => checkAllocatorStatus(c)).not.toThrow();
    for (let i = 1; i <= 5; i++) addresses(c, i);
    expect(codeOf(() => checkAllocatorStatus(c))).toBe(CNI_ERROR.notAvailable);
  });

  it('STATUS answers 50 when the database cannot be opened', () => {
    writeFileSync(join(dataDir, 'net1'), 'a file where the directory should be');
    expect(codeOf(() => checkAllocatorStatus(config()))).toBe(CNI_ERROR.notAvailable);
    expect(codeOf(() => allocateAddresses(config(), pod(1)))).toBe(CNI_ERROR.storeFailure);
  });

  it('reads DNS from ipam.resolvConf', () => {
    const resolv = join(dataDir, 'resolv.conf');
    writeFileSync(
      resolv,
      'nameserver 10.96.0.10\nsearch default.svc.cluster.local svc.cluster.local\noptions ndots:5\n',
    );
    expect(allocateAddresses(config({ resolvConf: resolv }), pod(1)).dns).toEqual({
      nameservers: ['10.96.0.10'],
      search: ['default.svc.cluster.local', 'svc.cluster.local'],
      options: ['ndots:5'],
    });
  });

  it('keeps its state in a WAL-mode SQLite database under <dataDir>/<network>/', () => {
    addresses(config(), 1);
    const db = new DatabaseSync(storePath(dataDir, 'net1'));
    try {
      expect(db.prepare('PRAGMA journal_mode').get()).toEqual({ journal_mode: 'wal' });
      expect(db.prepare('PRAGMA integrity_check').get()).toEqual({ integrity_check: 'ok' });
    } finally {
      db.close();
    }
  });
});

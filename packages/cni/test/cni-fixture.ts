// Per-test world for the kernel tests: a throwaway "host" namespace (the node), pod
// namespaces on demand, a fresh IPAM dataDir, and the plugins as real processes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { type IpLinkJson, ipLinks } from '@loom-net/core/kernel';
import { createTestNetns, type TestNetns } from '@loom-net/core/testing';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { masqNames } from '../src/masquerade-rules.ts';
import {
  buildTestPlugins,
  type CniJson,
  type PluginCall,
  type PluginOutcome,
  runPlugin,
  startPlugin,
  type TestPlugins,
} from './plugin-harness.ts';

// Address plan: pods 10.244.1.0/24 + fd00:10:244:1::/64 on bridge loom0 of the host namespace;
// "outside" (beyond the host) is 192.0.2.0/24 (RFC 5737 TEST-NET-1).
export const NETWORK = 'loom-test';
export const V4 = '10.244.1.0/24';
export const V6 = 'fd00:10:244:1::/64';

export interface CniFixture {
  readonly plugins: TestPlugins;
  readonly host: TestNetns;
  readonly dataDir: string;
  newPod(): Promise<TestNetns>;
  netnsPath(ns: TestNetns): string;
  config(
    overrides?: Record<string, unknown>,
    ipam?: Record<string, unknown>,
    version?: string,
  ): Record<string, unknown>;
  call(
    command: string,
    pod: TestNetns | undefined,
    cid: string,
    cfg: unknown,
    extra?: Partial<PluginCall>,
  ): Promise<PluginOutcome>;
  start(
    command: string,
    pod: TestNetns | undefined,
    cid: string,
    cfg: unknown,
  ): ReturnType<typeof startPlugin>;
  addOk(pod: TestNetns, cid: string, cfg?: unknown): Promise<CniJson>;
  podLink(pod: TestNetns, name?: string): Promise<IpLinkJson | undefined>;
  hostVeths(): Promise<IpLinkJson[]>;
  allocations(): Array<{ address: string; container_id: string; ifname: string }>;
  masqElements(): Promise<string[]>;
  ping(from: TestNetns, address: string): Promise<void>;
}

/** Registers the hooks and returns the fixture; call at the top of a describe block. */
export function useCniFixture(): CniFixture {
  let plugins: TestPlugins;
  let host: TestNetns;
  let dataDir: string;
  const pods: TestNetns[] = [];

  beforeAll(async () => {
    plugins = await buildTestPlugins();
  }, 60_000);
  afterAll(() => plugins?.cleanup());
  beforeEach(async () => {
    host = await createTestNetns();
    dataDir = mkdtempSync(join(tmpdir(), 'loom-cni-ipam-'));
  });
  afterEach(async () => {
    await Promise.all(pods.splice(0).map((pod) => pod.cleanup()));
    await host.cleanup();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const netnsPath = (ns: TestNetns) => `/var/run/netns/${ns.name}`;
  const callOf = (
    command: string,
    pod: TestNetns | undefined,
    cid: string,
    cfg: unknown,
    extra: Partial<PluginCall> = {},
  ): PluginCall => ({
    bin: plugins.cni,
    hostNetns: host.name,
    command,
    containerId: cid,
    ifname: 'eth0',
    ...(pod ? { netns: netnsPath(pod) } : {}),
    config: cfg,
    path: [plugins.dir, '/usr/lib/cni'],
    ...extra,
  });

  const fixture: CniFixture = {
    get plugins() {
      return plugins;
    },
    get host() {
      return host;
    },
    get dataDir() {
      return dataDir;
    },
    async newPod() {
      const pod = await createTestNetns();
      pods.push(pod);
      return pod;
    },
    netnsPath,
    config: (overrides = {}, ipam = {}, version = '1.1.0') => ({
      cniVersion: version,
      name: NETWORK,
      type: 'loom-cni',
      mtu: 1400,
      ipam: { type: 'loom-ipam', dataDir, ranges: [[{ subnet: V4 }], [{ subnet: V6 }]], ...ipam },
      ...overrides,
    }),
    call: (command, pod, cid, cfg, extra) => runPlugin(callOf(command, pod, cid, cfg, extra)),
    start: (command, pod, cid, cfg) => startPlugin(callOf(command, pod, cid, cfg)),
    async addOk(pod, cid, cfg = fixture.config()) {
      const outcome = await fixture.call('ADD', pod, cid, cfg);
      expect(outcome, outcome.stdout + outcome.stderr).toMatchObject({ exitCode: 0 });
      return outcome.json!;
    },
    async podLink(pod, name = 'eth0') {
      try {
        return (await ipLinks(pod.runner, ['-d', 'addr', 'show', 'dev', name]))[0];
      } catch {
        return undefined;
      }
    },
    async hostVeths() {
      const links = await ipLinks(host.runner, ['-d', 'link', 'show']);
      return links.filter((link) => link.linkinfo?.info_kind === 'veth');
    },
    allocations() {
      const db = new DatabaseSync(join(dataDir, NETWORK, 'loom-ipam.sqlite'));
      try {
        expect(db.prepare('PRAGMA integrity_check').get()).toEqual({ integrity_check: 'ok' });
        return db
          .prepare('SELECT address, container_id, ifname FROM allocations ORDER BY address')
          .all() as never;
      } finally {
        db.close();
      }
    },
    async masqElements() {
      const listing = await host
        .exec('nft', ['-j', 'list', 'set', 'inet', 'loom-cni', masqNames(NETWORK).pods4])
        .catch(() => undefined);
      if (listing === undefined) return [];
      const set = JSON.parse(listing.stdout).nftables.find((e: { set?: unknown }) => e.set)?.set;
      return (set?.elem ?? []).map(
        (e: { elem: { val: string; comment: string } }) => `${e.elem.val} ${e.elem.comment}`,
      );
    },
    async ping(from, address) {
      await from.exec('busybox', ['ping', '-c', '1', '-W', '2', address]);
    },
  };
  return fixture;
}

export const withPrev = (cfg: Record<string, unknown>, prevResult: unknown) => ({
  ...cfg,
  prevResult,
});

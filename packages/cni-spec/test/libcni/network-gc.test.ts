import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseNetworkList } from '../../src/libcni/network-config.ts';
import { gcNetworkList, statusNetworkList } from '../../src/libcni/network-gc.ts';
import { addNetworkList } from '../../src/libcni/network-list.ts';
import { listCachedAttachments } from '../../src/libcni/result-cache.ts';
import type { CniConfig } from '../../src/libcni/runtime-conf.ts';
import { CNI_ERROR, CniError } from '../../src/types/cni-error.ts';
import { fakeExec } from './fake-exec.ts';

const conflist = (version: string, extra: Record<string, unknown> = {}) =>
  parseNetworkList(
    JSON.stringify({ cniVersion: version, name: 'pods', plugins: [{ type: 'bridge' }], ...extra }),
    'pods.conflist',
  );

const attach = (containerId: string) => ({
  containerId,
  netns: `/var/run/netns/${containerId}`,
  ifName: 'eth0',
  args: [] as [string, string][],
  capabilityArgs: {},
});

const ADDRESS = JSON.stringify({ cniVersion: '1.1.0', ips: [{ address: '192.0.2.5/24' }] });

describe('gcNetworkList (libcni GCNetworkList)', () => {
  let cacheDir = '';
  let cni: CniConfig & { exec: ReturnType<typeof fakeExec> };
  beforeEach(() => {
    cacheDir = mkdtempSync(join(tmpdir(), 'loom-libcni-gc-'));
    cni = { binDirs: ['/fake'], cacheDir, exec: fakeExec(() => ADDRESS) };
  });
  afterEach(() => rmSync(cacheDir, { recursive: true, force: true }));

  it('DELs stale cached attachments, then sends GC with the valid ones (spec 1.1.0)', async () => {
    const list = conflist('1.1.0');
    await addNetworkList(list, attach('keep'), cni);
    await addNetworkList(list, attach('gone'), cni);
    cni.exec.calls.length = 0;
    const valid = [{ containerId: 'keep', ifname: 'eth0' }];
    expect(await gcNetworkList(list, valid, cni)).toEqual([]);
    expect(cni.exec.calls.map((c) => `${c.command} ${c.containerId}`)).toEqual(['DEL gone', 'GC ']);
    const wire = [{ containerID: 'keep', ifname: 'eth0' }];
    expect(cni.exec.calls[1]!.config).toMatchObject({
      'cni.dev/valid-attachments': wire,
      'cni.dev/attachments': wire,
    });
    expect(listCachedAttachments(cacheDir).map((e) => e.containerId)).toEqual(['keep']);
  });

  it('sends no GC verb before 1.1.0, and nothing with disableGC', async () => {
    const old = conflist('1.0.0');
    await addNetworkList(old, attach('gone'), cni);
    cni.exec.calls.length = 0;
    await gcNetworkList(old, [], cni);
    expect(cni.exec.calls.map((c) => c.command)).toEqual(['DEL']);
    cni.exec.calls.length = 0;
    await gcNetworkList(conflist('1.1.0', { disableGC: true }), [], cni);
    expect(cni.exec.calls).toEqual([]);
  });

  it('goes on past failures and returns them', async () => {
    const list = conflist('1.1.0');
    await addNetworkList(list, attach('gone'), cni);
    const failing = fakeExec(() => {
      throw new CniError(CNI_ERROR.ioFailure, 'disk');
    });
    const errors = await gcNetworkList(list, [], { ...cni, exec: failing });
    expect(errors.map((e) => e.message)).toEqual([
      'failed to delete stale attachment gone eth0: disk',
      'failed to GC plugin bridge: disk',
    ]);
    expect(errors[0]!.code).toBe(CNI_ERROR.ioFailure);
  });
});

describe('statusNetworkList (libcni GetStatusNetworkList)', () => {
  it('asks each plugin of a 1.1.0 list, none of an older one', async () => {
    const exec = fakeExec();
    const cni = { binDirs: ['/fake'], cacheDir: '/nonexistent', exec };
    await statusNetworkList(conflist('1.0.0'), cni);
    expect(exec.calls).toEqual([]);
    await statusNetworkList(conflist('1.1.0'), cni);
    expect(exec.calls.map((c) => c.command)).toEqual(['STATUS']);
  });

  it("throws the plugin's not-ready error as it is", async () => {
    const exec = fakeExec(() => {
      throw new CniError(CNI_ERROR.notAvailable, 'no IPs left');
    });
    await expect(
      statusNetworkList(conflist('1.1.0'), { binDirs: ['/fake'], cacheDir: '/x', exec }),
    ).rejects.toMatchObject({ code: 50 });
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseNetworkList } from '../../src/libcni/network-config.ts';
import {
  addNetworkList,
  checkNetworkList,
  delNetworkList,
  getCachedResult,
} from '../../src/libcni/network-list.ts';
import { listCachedAttachments } from '../../src/libcni/result-cache.ts';
import type { CniConfig, CniRuntimeConf } from '../../src/libcni/runtime-conf.ts';
import { CNI_ERROR, CniError } from '../../src/types/cni-error.ts';
import { fakeExec } from './fake-exec.ts';

const conflist = (version: string, extra: Record<string, unknown> = {}) =>
  parseNetworkList(
    JSON.stringify({
      cniVersion: version,
      name: 'pods',
      plugins: [
        { type: 'bridge', ipam: { type: 'host-local' } },
        { type: 'portmap', capabilities: { portMappings: true } },
      ],
      ...extra,
    }),
    'pods.conflist',
  );

const rt: CniRuntimeConf = {
  containerId: 'sb1',
  netns: '/var/run/netns/p1',
  ifName: 'eth0',
  args: [['K8S_POD_NAME', 'web']],
  capabilityArgs: { portMappings: [{ hostPort: 80, containerPort: 8080, protocol: 'tcp' }] },
};

// bridge answers an address; portmap passes its prevResult on, as chained plugins do.
function answer(type: string, _call: unknown, config: Record<string, unknown>): string {
  if (type === 'bridge') {
    return JSON.stringify({
      cniVersion: config.cniVersion,
      interfaces: [{ name: 'eth0', sandbox: '/var/run/netns/p1' }],
      ips: [{ address: '192.0.2.5/24', gateway: '192.0.2.1', interface: 0 }],
    });
  }
  return JSON.stringify(config.prevResult ?? {});
}

describe('libcni over a network list', () => {
  let cacheDir = '';
  let exec: ReturnType<typeof fakeExec>;
  let cni: CniConfig;
  beforeEach(() => {
    cacheDir = mkdtempSync(join(tmpdir(), 'loom-libcni-'));
    exec = fakeExec(answer);
    cni = { binDirs: ['/fake'], cacheDir, exec };
  });
  afterEach(() => rmSync(cacheDir, { recursive: true, force: true }));

  it('ADDs each plugin in order, chaining the result, and caches the final one', async () => {
    const list = conflist('1.0.0');
    const result = await addNetworkList(list, rt, cni);
    expect(result.ips).toEqual([{ address: '192.0.2.5/24', gateway: '192.0.2.1', interface: 0 }]);
    expect(exec.calls.map((c) => `${c.command} ${c.type}`)).toEqual(['ADD bridge', 'ADD portmap']);
    expect(exec.calls[1]!.config).toMatchObject({
      name: 'pods',
      cniVersion: '1.0.0',
      prevResult: { cniVersion: '1.0.0', ips: [{ address: '192.0.2.5/24' }] },
      runtimeConfig: { portMappings: rt.capabilityArgs.portMappings },
    });
    expect(exec.calls[0]!.config.runtimeConfig).toBeUndefined();
    expect(getCachedResult(list, rt, cni)).toEqual(result);
    const [entry] = listCachedAttachments(cacheDir);
    expect(entry).toMatchObject({
      kind: 'cniCacheV1',
      containerId: 'sb1',
      ifName: 'eth0',
      networkName: 'pods',
      netns: '/var/run/netns/p1',
      cniArgs: [['K8S_POD_NAME', 'web']],
      result: { cniVersion: '1.0.0' },
    });
    expect(Buffer.from(entry!.config, 'base64').toString()).toBe(list.bytes);
  });

  it('DELs in reverse order with the cached result, then forgets it', async () => {
    const list = conflist('1.0.0');
    await addNetworkList(list, rt, cni);
    exec.calls.length = 0;
    await delNetworkList(list, rt, cni);
    expect(exec.calls.map((c) => `${c.command} ${c.type}`)).toEqual(['DEL portmap', 'DEL bridge']);
    expect(exec.calls[0]!.config.prevResult).toMatchObject({ ips: [{ address: '192.0.2.5/24' }] });
    expect(listCachedAttachments(cacheDir)).toEqual([]);
  });

  it('keeps the cache entry when a DEL fails, so the retry has the same data', async () => {
    const list = conflist('1.0.0');
    await addNetworkList(list, rt, cni);
    const failing = fakeExec(() => {
      throw new CniError(CNI_ERROR.tryAgainLater, 'plugin type="portmap" failed DEL: busy');
    });
    await expect(delNetworkList(list, rt, { ...cni, exec: failing })).rejects.toThrow('busy');
    expect(listCachedAttachments(cacheDir)).toHaveLength(1);
  });

  it('sends no prevResult on DEL before spec 0.4.0', async () => {
    const list = conflist('0.3.1');
    await addNetworkList(list, rt, cni);
    exec.calls.length = 0;
    await delNetworkList(list, rt, cni);
    expect(exec.calls.every((c) => c.config.prevResult === undefined)).toBe(true);
  });

  it('CHECKs with the cached result; skips with disableCheck; refuses before 0.4.0', async () => {
    const list = conflist('1.0.0');
    await addNetworkList(list, rt, cni);
    exec.calls.length = 0;
    await checkNetworkList(list, rt, cni);
    expect(exec.calls.map((c) => `${c.command} ${c.type}`)).toEqual([
      'CHECK bridge',
      'CHECK portmap',
    ]);
    expect(exec.calls[0]!.config.prevResult).toMatchObject({ ips: [{ address: '192.0.2.5/24' }] });
    exec.calls.length = 0;
    await checkNetworkList(conflist('1.0.0', { disableCheck: true }), rt, cni);
    expect(exec.calls).toEqual([]);
    await expect(checkNetworkList(conflist('0.3.1'), rt, cni)).rejects.toThrow(
      /does not support the CHECK command/,
    );
  });

  it('names a plugin missing from the bin dirs', async () => {
    const missing = { ...cni, exec: fakeExec(answer, ['portmap']) };
    await expect(addNetworkList(conflist('1.0.0'), rt, missing)).rejects.toThrow(
      'cannot find plugin type="portmap" in CNI_PATH /fake',
    );
  });

  it('refuses an attachment whose names cannot be a cache file', async () => {
    await expect(
      addNetworkList(conflist('1.0.0'), { ...rt, containerId: '../etc' }, cni),
    ).rejects.toThrow(/invalid container ID/);
    expect(exec.calls).toEqual([]);
  });
});

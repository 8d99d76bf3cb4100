import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  configFiles,
  loadFirstNetworkList,
  parseNetworkList,
} from '../../src/libcni/network-config.ts';

describe('loadFirstNetworkList (go-cni: the first conf file by name)', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const write = (files: Record<string, string>) => {
    dir = mkdtempSync(join(tmpdir(), 'loom-cni-conf-'));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return dir;
  };
  const list = (name: string) =>
    JSON.stringify({ cniVersion: '1.0.0', name, plugins: [{ type: 'bridge' }] });

  it('is not initialized without a config', () => {
    expect(loadFirstNetworkList(write({ 'README.md': 'x' }))).toEqual({
      ok: false,
      message: 'cni plugin not initialized',
    });
    expect(loadFirstNetworkList('/nonexistent/loom')).toMatchObject({ ok: false });
  });

  it('takes the lexicographically first of .conf/.conflist/.json', () => {
    const path = write({ '20-b.conflist': list('b'), '10-a.conflist': list('a'), 'x.txt': '' });
    expect(configFiles(path)).toEqual([join(path, '10-a.conflist'), join(path, '20-b.conflist')]);
    expect(loadFirstNetworkList(path)).toMatchObject({
      ok: true,
      list: { name: 'a', cniVersion: '1.0.0', disableCheck: false, disableGC: false },
    });
  });

  it('turns a single-plugin .conf into a list', () => {
    const conf = JSON.stringify({ cniVersion: '0.4.0', name: 'solo', type: 'ptp' });
    const loaded = loadFirstNetworkList(write({ '05-solo.conf': conf }));
    expect(loaded).toMatchObject({ ok: true, list: { name: 'solo', plugins: [{ type: 'ptp' }] } });
  });

  it('reports an invalid first file instead of skipping it', () => {
    const loaded = loadFirstNetworkList(
      write({ '01-bad.conflist': '{', '10-a.conflist': list('a') }),
    );
    expect(loaded).toMatchObject({
      ok: false,
      message: expect.stringContaining('01-bad.conflist'),
    });
  });

  it.each([
    { text: '{"name":"x","plugins":[]}', why: /has no networks/ },
    { text: '{"plugins":[{"type":"bridge"}]}', why: /has no "name"/ },
    { text: '{"name":"x","plugins":[{}]}', why: /has no "type"/ },
    { text: '{"name":"x","cniVersion":"1.0","plugins":[{"type":"y"}]}', why: /invalid cniVersion/ },
  ])('rejects $text', ({ text, why }) => {
    expect(() => parseNetworkList(text, 'x.conflist')).toThrow(why);
  });

  it('ignores directories named like configs', () => {
    const path = write({});
    mkdirSync(join(path, '00-dir.conflist'));
    expect(loadFirstNetworkList(path)).toMatchObject({ ok: false });
  });

  it('takes the highest known of cniVersions, and the disable flags', () => {
    const text = JSON.stringify({
      cniVersion: '0.4.0',
      cniVersions: ['0.4.0', '1.1.0', '9.9.9'],
      name: 'n',
      disableCheck: true,
      disableGC: true,
      plugins: [{ type: 'bridge' }],
    });
    expect(parseNetworkList(text, 'n.conflist')).toMatchObject({
      cniVersion: '1.1.0',
      disableCheck: true,
      disableGC: true,
      bytes: text,
    });
  });
});

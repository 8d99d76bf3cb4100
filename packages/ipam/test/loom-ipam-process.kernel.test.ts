// loom-ipam as its own executable: many processes at once on one database, and processes
// killed (-9) at random points of their transaction. No namespace is needed (IPAM never
// touches the kernel), but these are real-process tests, so they run with the kernel tier.
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bundlePlugin } from '../scripts/plugin-executable.ts';
import { WAL_LIMIT_BYTES } from '../src/allocation-store.ts';

let bin: string;
let binDir: string;
let dataDir: string;

beforeAll(async () => {
  binDir = mkdtempSync(join(tmpdir(), 'loom-ipam-bin-'));
  await bundlePlugin(
    join(import.meta.dirname, '..', 'src', 'main.ts'),
    join(binDir, 'loom-ipam.cjs'),
  );
  bin = join(binDir, 'loom-ipam');
  writeFileSync(bin, `#!/bin/sh\nexec ${process.execPath} ${join(binDir, 'loom-ipam.cjs')}\n`);
  chmodSync(bin, 0o755);
}, 60_000);
afterAll(() => rmSync(binDir, { recursive: true, force: true }));
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'loom-ipam-data-'));
  return () => rmSync(dataDir, { recursive: true, force: true });
});

const config = () =>
  JSON.stringify({
    cniVersion: '1.1.0',
    name: 'procs',
    type: 'loom-cni',
    ipam: {
      type: 'loom-ipam',
      dataDir,
      ranges: [[{ subnet: '10.244.0.0/16' }], [{ subnet: 'fd00:10:244::/64' }]],
    },
  });

function start(command: string, cid: string, stdin = config()) {
  const child = spawn(bin, [], {
    env: {
      CNI_COMMAND: command,
      CNI_CONTAINERID: cid,
      CNI_NETNS: '/var/run/netns/unused',
      CNI_IFNAME: 'eth0',
    },
  });
  const out: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => out.push(c));
  child.stdin.end(stdin);
  const done = new Promise<{ code: number | null; signal: string | null; stdout: string }>(
    (resolve) =>
      child.on('close', (code, signal) =>
        resolve({ code, signal, stdout: Buffer.concat(out).toString() }),
      ),
  );
  return { child, done };
}

function rows(): Array<{ address: string; container_id: string }> {
  const db = new DatabaseSync(join(dataDir, 'procs', 'loom-ipam.sqlite'));
  try {
    expect(db.prepare('PRAGMA integrity_check').get()).toEqual({ integrity_check: 'ok' });
    return db.prepare('SELECT address, container_id FROM allocations').all() as never;
  } finally {
    db.close();
  }
}

describe('loom-ipam executable', () => {
  it('gives 40 parallel ADDs from separate processes 40 distinct address pairs', async () => {
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => start('ADD', `c${i}`).done),
    );
    for (const r of results) expect(r, r.stdout).toMatchObject({ code: 0 });
    const v4 = results.map((r) => JSON.parse(r.stdout).ips[0].address);
    expect(new Set(v4).size).toBe(40);
    expect(rows()).toHaveLength(80);
  }, 120_000);

  it('keeps the database intact and consistent when processes are killed mid-call', async () => {
    for (let i = 0; i < 12; i++) {
      const { child, done } = start('ADD', `k${i}`);
      await sleep(15 + i * 7);
      child.kill('SIGKILL');
      await done;
    }
    // Whatever each killed ADD managed, an attachment holds both of its addresses or none.
    const byAttachment = Map.groupBy(rows(), (r) => r.container_id);
    for (const held of byAttachment.values()) expect(held).toHaveLength(2);
    // Repeating the ADDs gives every attachment its pair, the same pair where one was held.
    const again = await Promise.all(
      Array.from({ length: 12 }, (_, i) => start('ADD', `k${i}`).done),
    );
    for (const [i, r] of again.entries()) {
      expect(r.code).toBe(0);
      const before = byAttachment
        .get(`k${i}`)
        ?.map((row) => row.address)
        .sort();
      const now = JSON.parse(r.stdout)
        .ips.map((ip: { address: string }) => ip.address.split('/')[0])
        .sort();
      if (before) expect(now).toEqual(before);
    }
    const gc = await start(
      'GC',
      'x',
      JSON.stringify({
        ...JSON.parse(config()),
        'cni.dev/valid-attachments': [{ containerID: 'k3', ifname: 'eth0' }],
      }),
    ).done;
    expect(gc.code).toBe(0);
    expect(rows().map((r) => r.container_id)).toEqual(['k3', 'k3']);
  }, 120_000);

  // Each call is a new process that exits without closing its connection, so SQLite's own
  // autocheckpoint never restarts the WAL: it would grow by ~30 KB per ADD + DEL for ever.
  it('keeps the WAL under its limit across many calls from separate processes', async () => {
    const walSize = () => statSync(join(dataDir, 'procs', 'loom-ipam.sqlite-wal')).size;
    const sizes: number[] = [];
    for (let i = 0; i < 45; i++) {
      for (const command of ['ADD', 'DEL']) {
        const r = await start(command, `w${i}`).done;
        expect(r.code, r.stdout).toBe(0);
      }
      sizes.push(walSize());
    }
    expect(Math.max(...sizes)).toBeLessThan(WAL_LIMIT_BYTES);
    // It did grow past half the limit and was emptied: the bound is the checkpoint's doing.
    expect(Math.max(...sizes)).toBeGreaterThan(WAL_LIMIT_BYTES / 2);
    expect(sizes.some((size, i) => i > 0 && size < sizes[i - 1]!)).toBe(true);
    expect(rows()).toEqual([]);
  }, 120_000);
});

// loom-ipam as its own executable: many processes at once on one database, processes killed
// (-9) inside their transaction (caught there by SQLite's write lock) or at blind moments, and
// a runtime that cannot take the answer. No namespace is needed (IPAM never touches the
// kernel), but these are real-process tests, so they run with the kernel tier.
import { spawn } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { setImmediate, setTimeout as sleep } from 'node:timers/promises';
import { SUPPORTED_CNI_VERSIONS } from '@loom-net/cni-spec';
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

/**
 * Starts loom-ipam. `stdout`: a pipe read by the test; 'gone', a pipe whose reader is closed
 * before the configuration is sent (the plugin reads all of stdin before it answers); or a file
 * descriptor to write to.
 */
function start(
  command: string,
  cid: string,
  stdin = config(),
  stdout: 'pipe' | 'gone' | number = 'pipe',
) {
  const child = spawn(bin, [], {
    env: {
      CNI_COMMAND: command,
      CNI_CONTAINERID: cid,
      CNI_NETNS: '/var/run/netns/unused',
      CNI_IFNAME: 'eth0',
    },
    stdio: ['pipe', stdout === 'gone' ? 'pipe' : stdout, 'pipe'],
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stderr!.on('data', (c: Buffer) => err.push(c));
  if (stdout === 'gone') {
    child.stdout!.once('close', () => child.stdin!.end(stdin));
    child.stdout!.destroy();
  } else {
    child.stdout?.on('data', (c: Buffer) => out.push(c));
    child.stdin!.end(stdin);
  }
  const done = new Promise<{
    code: number | null;
    signal: string | null;
    stdout: string;
    stderr: string;
  }>((resolve) =>
    child.on('close', (code, signal) =>
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(err).toString(),
      }),
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

/**
 * Starts an ADD and kills it (-9) while it is inside its write transaction, if it can be caught
 * there; returns whether it was. SQLite holds the WAL write lock (a POSIX lock on byte 120 of
 * the -shm file, which /proc/locks lists with the holder's pid) from BEGIN IMMEDIATE to COMMIT.
 * Once the lock shows up the process is stopped (SIGSTOP), and if it still holds the lock
 * when stopped, the kill lands inside the transaction for certain.
 */
async function killInsideTransaction(cid: string): Promise<boolean> {
  const { child, done } = start('ADD', cid);
  let exited = false;
  void done.then(() => {
    exited = true;
  });
  const pid = child.pid!;
  const deadline = performance.now() + 10_000;
  // setImmediate between polls: the event loop must still feed the plugin its stdin.
  while (!exited && !holdsWalWriteLock(pid) && performance.now() < deadline) await setImmediate();
  if (exited) return false;
  child.kill('SIGSTOP');
  while (!exited && processState(pid) !== 'T') await setImmediate();
  if (exited) return false; // it finished before the stop took effect
  const inside = holdsWalWriteLock(pid);
  child.kill('SIGKILL');
  expect((await done).signal).toBe('SIGKILL');
  return inside;
}

// The plugin has one database open, so a write lock of its pid on byte 120 is the WAL's.
function holdsWalWriteLock(pid: number): boolean {
  return readFileSync('/proc/locks', 'utf8')
    .split('\n')
    .some(
      (line) =>
        / POSIX +ADVISORY +WRITE /.test(line) &&
        line.includes(` ${pid} `) &&
        / 120 120$/.test(line),
    );
}

function processState(pid: number): string | undefined {
  try {
    // /proc/<pid>/stat: "pid (comm) state …"; comm is "node" here.
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0];
  } catch {
    return undefined;
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

  it('tells a runtime that cannot take its answer on stderr, with exit code 1', async () => {
    const cannot = (why: string, printed: unknown) =>
      `loom-ipam: cannot write its result to stdout: ${why}; the result was: ${JSON.stringify(printed)}\n`;
    // The runtime's end of the pipe is gone (EPIPE).
    const gone = await start('ADD', 'c-gone', config(), 'gone').done;
    expect(gone).toEqual({
      code: 1,
      signal: null,
      stdout: '',
      stderr: cannot('EPIPE: broken pipe, write', {
        cniVersion: '1.1.0',
        ips: [
          { address: '10.244.0.2/16', gateway: '10.244.0.1' },
          { address: 'fd00:10:244::2/64', gateway: 'fd00:10:244::1' },
        ],
      }),
    });
    // stdout is a device that takes nothing (ENOSPC).
    const full = openSync('/dev/full', 'w');
    try {
      const version = await start('VERSION', 'x', '{"cniVersion":"1.0.0"}', full).done;
      expect(version).toMatchObject({
        code: 1,
        signal: null,
        stderr: cannot('ENOSPC: no space left on device, write', {
          cniVersion: '1.0.0',
          supportedVersions: SUPPORTED_CNI_VERSIONS,
        }),
      });
    } finally {
      closeSync(full);
    }
  });

  it('keeps every address once when processes are killed inside their transaction', async () => {
    // An existing database: the ADDs below run one write transaction each, the allocation.
    expect((await start('ADD', 'seed').done).code).toBe(0);
    const ids = Array.from({ length: 16 }, (_, i) => `k${i}`);
    let inside = 0;
    for (const [i, cid] of ids.entries()) {
      if (i % 4 === 3) {
        // Some at a blind moment of the call, which may fall before, in or after the transaction.
        const { child, done } = start('ADD', cid);
        await sleep(15 + i * 7);
        child.kill('SIGKILL');
        await done;
        continue;
      }
      const killed = await killInsideTransaction(cid);
      if (killed) {
        inside++;
        // Killed between BEGIN IMMEDIATE and COMMIT: SQLite rolled the allocation back.
        expect(rows().filter((r) => r.container_id === cid)).toEqual([]);
      }
    }
    expect(inside).toBeGreaterThan(0);

    // Whatever each killed ADD managed, an attachment holds both of its addresses or none.
    const byAttachment = Map.groupBy(rows(), (r) => r.container_id);
    for (const held of byAttachment.values()) expect(held).toHaveLength(2);
    // Repeating the ADDs gives every attachment its pair, the same pair where one was held.
    const again = await Promise.all(ids.map((cid) => start('ADD', cid).done));
    const handedOut = new Map<string, string[]>();
    for (const [i, r] of again.entries()) {
      expect(r.code, r.stdout).toBe(0);
      const now = JSON.parse(r.stdout)
        .ips.map((ip: { address: string }) => ip.address.split('/')[0])
        .sort();
      const before = byAttachment
        .get(ids[i]!)
        ?.map((row) => row.address)
        .sort();
      if (before) expect(now).toEqual(before);
      handedOut.set(ids[i]!, now);
    }
    // No address twice, and none held by anything but a live attachment (no leak).
    const all = [...handedOut.values()].flat();
    expect(new Set(all).size).toBe(all.length);
    const held = rows().filter((r) => r.container_id !== 'seed');
    expect(held.map((r) => `${r.container_id} ${r.address}`).sort()).toEqual(
      [...handedOut].flatMap(([cid, addresses]) => addresses.map((a) => `${cid} ${a}`)).sort(),
    );

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

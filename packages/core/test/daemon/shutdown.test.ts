import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const fixture = fileURLToPath(new URL('./fixtures/daemon-fixture.ts', import.meta.url));

interface LogLine {
  msg: string;
  component: string;
  level: string;
  url?: string;
  err?: { message: string };
}

interface Daemon {
  child: ChildProcess;
  lines: LogLine[];
  /** Resolves with the first log line with this message. */
  waitFor(msg: string): Promise<LogLine>;
  exited: Promise<number | null>;
}

const started: ChildProcess[] = [];

afterEach(() => {
  for (const child of started.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

function startDaemon(mode: string): Daemon {
  const child = spawn(process.execPath, ['--conditions=loom-source', fixture, mode], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  started.push(child);
  const lines: LogLine[] = [];
  const waiters: Array<{ msg: string; resolve: (line: LogLine) => void }> = [];
  let buffer = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const parts = buffer.split('\n');
    buffer = parts.pop() ?? '';
    for (const part of parts.filter(Boolean)) {
      const line = JSON.parse(part) as LogLine;
      lines.push(line);
      for (const w of waiters.filter((w) => w.msg === line.msg)) w.resolve(line);
    }
  });
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const waitFor = (msg: string) =>
    new Promise<LogLine>((resolve, reject) => {
      const seen = lines.find((l) => l.msg === msg);
      if (seen) return resolve(seen);
      waiters.push({ msg, resolve });
      exited.then(() => reject(new Error(`daemon exited before logging "${msg}"`)));
    });
  return { child, lines, waitFor, exited };
}

const messages = (daemon: Daemon) => daemon.lines.map((l) => l.msg);

describe('runDaemon / onShutdown in a real process', () => {
  it('on SIGTERM fails readiness, finishes in-flight work, closes the server, exits 0', async () => {
    const daemon = startDaemon('graceful');
    const { url } = await daemon.waitFor('ready');
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    daemon.child.kill('SIGTERM');
    await daemon.waitFor('shutting down');
    const readyz = await fetch(`${url}/readyz`);
    expect(readyz.status).toBe(503);
    expect(await readyz.text()).toContain('[-]shutdown failed: shutting down\n');
    expect(await daemon.exited).toBe(0);
    expect(messages(daemon)).toEqual([
      'work started',
      'ready',
      'daemon started',
      'shutting down',
      'stopping',
      'work finished',
      'stopped',
      'server closed',
      'shutdown complete',
    ]);
    expect(daemon.lines.every((l) => l.component === 'fixture')).toBe(true);
  });

  it('exits 1 at once on a second signal', async () => {
    const daemon = startDaemon('stubborn');
    await daemon.waitFor('ready');
    daemon.child.kill('SIGTERM');
    await daemon.waitFor('shutting down');
    daemon.child.kill('SIGINT');
    expect(await daemon.exited).toBe(1);
    expect(messages(daemon)).toContain('second signal during shutdown, exiting now');
    expect(messages(daemon)).not.toContain('work finished');
  });

  it('exits 1 when teardown outlasts the timeout', async () => {
    const daemon = startDaemon('hang');
    await daemon.waitFor('ready');
    daemon.child.kill('SIGTERM');
    expect(await daemon.exited).toBe(1);
    expect(messages(daemon)).toContain('shutdown timed out, exiting');
  });

  it('exits 1 when a shutdown step throws, after running the others', async () => {
    const daemon = startDaemon('failing-step');
    await daemon.waitFor('ready');
    daemon.child.kill('SIGTERM');
    expect(await daemon.exited).toBe(1);
    const failed = daemon.lines.find((l) => l.msg === 'shutdown step failed');
    expect(failed?.err?.message).toMatch(/read-only file system/);
    expect(messages(daemon)).toContain('server closed');
  });

  it('exits 1 with the cause logged when start fails, releasing what start opened', async () => {
    const daemon = startDaemon('fail-start');
    expect(await daemon.exited).toBe(1);
    const fatal = daemon.lines.find((l) => l.msg === 'daemon failed to start');
    expect(fatal).toMatchObject({
      level: 'fatal',
      err: { message: 'cannot list nodes: connect ECONNREFUSED' },
    });
    expect(messages(daemon)).toContain('server closed');
    expect(messages(daemon)).not.toContain('stopping');
  });
});

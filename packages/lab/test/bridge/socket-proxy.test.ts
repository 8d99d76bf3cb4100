import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Endpoint, renderProxyArgs } from '../../src/bridge/proxy-route.ts';

const script = fileURLToPath(new URL('../../src/bridge/socket-proxy.ts', import.meta.url));
const listenerFaults = fileURLToPath(new URL('../fixtures/listener-faults.ts', import.meta.url));
// Made in beforeAll, not at load: `vitest list` loads the file without running hooks.
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'loom-bridge-'));
});
const children: ReturnType<typeof spawn>[] = [];
let echo: Server;

afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  echo?.close();
  rmSync(dir, { recursive: true, force: true });
});

function startProxy(name: string, routes: Parameters<typeof renderProxyArgs>[0]['routes']) {
  const readyFile = join(dir, `${name}.json`);
  const child = spawn(process.execPath, [script, ...renderProxyArgs({ routes, readyFile })], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(child);
  return { child, readyFile };
}

/** A bridge whose listeners fail after listening (see fixtures/listener-faults.ts); its log kept. */
function startFaultyProxy(name: string, fault: 'accept' | 'lost', connect: Endpoint) {
  const readyFile = join(dir, `${name}.json`);
  const routes = [{ listen: { kind: 'tcp' as const, host: '127.0.0.1', port: 0 }, connect }];
  const child = spawn(
    process.execPath,
    ['--import', listenerFaults, script, ...renderProxyArgs({ routes, readyFile })],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, LOOM_TEST_LISTENER_FAULT: fault },
    },
  );
  children.push(child);
  const log: Array<{ level: string; msg: string; error?: string; listening?: boolean }> = [];
  createInterface({ input: child.stderr! }).on('line', (line) => {
    try {
      log.push(JSON.parse(line));
    } catch {
      log.push({ level: 'raw', msg: line });
    }
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { child, readyFile, log, exited };
}

async function startEcho(): Promise<Endpoint> {
  echo ??= createServer((socket) => socket.pipe(socket));
  if (!echo.listening) await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  return { kind: 'tcp', host: '127.0.0.1', port: (echo.address() as { port: number }).port };
}

const portOf = (ready: { listening: string[] }) =>
  Number(/^tcp:127\.0\.0\.1:(\d+)$/.exec(ready.listening[0]!)![1]);

async function readReady(file: string): Promise<{ pid: number; listening: string[] }> {
  await expect.poll(() => existsSync(file), { timeout: 10_000 }).toBe(true);
  return JSON.parse(readFileSync(file, 'utf8'));
}

function roundTrip(port: number, message: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port }, () => socket.end(message));
    let answer = '';
    socket.on('data', (chunk) => {
      answer += chunk.toString();
    });
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

describe('the socket bridge', () => {
  it('carries a TCP stream through a unix socket and back to TCP', async () => {
    const echoPort = ((await startEcho()) as { port: number }).port;
    const sock = join(dir, 'api.sock');
    const inner = startProxy('inner', [
      {
        listen: { kind: 'unix', path: sock },
        connect: { kind: 'tcp', host: '127.0.0.1', port: echoPort },
      },
    ]);
    await readReady(inner.readyFile);
    const outer = startProxy('outer', [
      {
        listen: { kind: 'tcp', host: '127.0.0.1', port: 0 },
        connect: { kind: 'unix', path: sock },
      },
    ]);
    const ready = await readReady(outer.readyFile);
    expect(ready.pid).toBe(outer.child.pid);
    const port = portOf(ready);
    expect(await roundTrip(port, 'hello through the island')).toBe('hello through the island');

    const exited = new Promise((resolve) => inner.child.once('exit', resolve));
    inner.child.kill('SIGTERM');
    await exited;
    expect(existsSync(sock)).toBe(false);
    expect(existsSync(inner.readyFile)).toBe(false);
  });

  it('reports a listener error after listen and keeps serving', async () => {
    const proxy = startFaultyProxy('faulty', 'accept', await startEcho());
    const port = portOf(await readReady(proxy.readyFile));
    const reports = () =>
      proxy.log.filter((line) => line.msg === 'listener error, still listening');
    await expect.poll(() => reports().length, { timeout: 3_000 }).toBe(2);
    expect(reports().map((line) => [line.level, line.error])).toEqual([
      ['error', 'accept EMFILE (injected 1)'],
      ['error', 'accept EMFILE (injected 2)'],
    ]);
    // Still the same process, still carrying streams.
    expect(proxy.child.exitCode).toBe(null);
    expect(await roundTrip(port, 'after the errors')).toBe('after the errors');
    expect(proxy.child.exitCode).toBe(null);
  });

  it('shuts down cleanly, exit code 1, when a listener is lost', async () => {
    const proxy = startFaultyProxy('lost', 'lost', await startEcho());
    await readReady(proxy.readyFile);
    expect(await proxy.exited).toBe(1);
    expect(proxy.log.map((line) => line.msg)).toContain('listener error, no longer listening');
    expect(proxy.log.filter((line) => line.level === 'raw')).toEqual([]);
    expect(existsSync(proxy.readyFile)).toBe(false);
  });
});

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderProxyArgs } from '../src/bridge/proxy-route.ts';

const script = fileURLToPath(new URL('../src/bridge/socket-proxy.ts', import.meta.url));
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
    echo = createServer((socket) => socket.pipe(socket));
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    const echoPort = (echo.address() as { port: number }).port;
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
    const port = Number(/^tcp:127\.0\.0\.1:(\d+)$/.exec(ready.listening[0]!)![1]);
    expect(await roundTrip(port, 'hello through the island')).toBe('hello through the island');

    const exited = new Promise((resolve) => inner.child.once('exit', resolve));
    inner.child.kill('SIGTERM');
    await exited;
    expect(existsSync(sock)).toBe(false);
    expect(existsSync(inner.readyFile)).toBe(false);
  });
});

import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { HealthCheck, HealthServer, HealthServerOptions } from '../../src/daemon/index.ts';
import { createMetricsRegistry, startHealthServer } from '../../src/daemon/index.ts';

const servers: HealthServer[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(options: Partial<HealthServerOptions> = {}): Promise<HealthServer> {
  const server = await startHealthServer({ port: 0, host: '127.0.0.1', ...options });
  servers.push(server);
  return server;
}

async function get(server: HealthServer, path: string, init?: RequestInit) {
  const res = await fetch(`${server.url}${path}`, init);
  return { status: res.status, type: res.headers.get('content-type'), body: await res.text() };
}

function rawRequest(server: HealthServer, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(server.port, '127.0.0.1', () => socket.write(request));
    let data = '';
    socket.on('data', (chunk) => {
      data += chunk.toString();
    });
    socket.on('end', () => resolve(data));
    socket.on('error', reject);
  });
}

const routes = (programmed: number, of: number, hard = false): HealthCheck => ({
  name: 'routes-programmed',
  check: () =>
    programmed === of ? { ok: true } : { ok: false, hard, message: `${programmed} of ${of} nodes` },
});
const informers: HealthCheck = { name: 'informers-synced', check: () => true };

describe('startHealthServer', () => {
  it('answers ok on /healthz and /readyz when every check passes', async () => {
    const server = await start({ checks: [informers, routes(3, 3)] });
    expect(await get(server, '/healthz')).toEqual({
      status: 200,
      type: 'text/plain; charset=utf-8',
      body: 'ok\n',
    });
    expect(await get(server, '/readyz')).toMatchObject({ status: 200, body: 'ok\n' });
  });

  it('lists every check with ?verbose, as kube-apiserver does', async () => {
    const server = await start({ checks: [informers, routes(3, 3)] });
    expect((await get(server, '/readyz?verbose')).body).toBe(
      '[+]shutdown ok\n[+]informers-synced ok\n[+]routes-programmed ok\nreadyz check passed\n',
    );
  });

  it('fails /readyz, listing the failing check, while /healthz stays 200', async () => {
    const server = await start({ checks: [informers, routes(2, 3)] });
    expect(await get(server, '/readyz')).toMatchObject({
      status: 503,
      body: '[+]shutdown ok\n[+]informers-synced ok\n[-]routes-programmed failed: 2 of 3 nodes\nreadyz check failed\n',
    });
    expect(await get(server, '/healthz')).toMatchObject({ status: 200, body: 'ok\n' });
  });

  it('fails /healthz too when a check fails hard', async () => {
    const server = await start({ checks: [informers, routes(0, 3, true)] });
    expect(await get(server, '/healthz')).toMatchObject({
      status: 503,
      body: '[+]informers-synced ok\n[-]routes-programmed failed: 0 of 3 nodes\nhealthz check failed\n',
    });
  });

  it('counts a check that throws or hangs as failed, with the reason', async () => {
    const throws: HealthCheck = {
      name: 'apiserver',
      check: () => {
        throw new Error('connect ECONNREFUSED 192.168.1.10:6443');
      },
    };
    const hangs: HealthCheck = { name: 'nft', check: () => new Promise(() => {}) };
    const server = await start({ checks: [throws, hangs], checkTimeoutMs: 100 });
    const { status, body } = await get(server, '/readyz');
    expect(status).toBe(503);
    expect(body).toContain('[-]apiserver failed: connect ECONNREFUSED 192.168.1.10:6443\n');
    expect(body).toContain('[-]nft failed: check timed out after 100 ms\n');
    expect((await get(server, '/healthz')).status).toBe(200);
  });

  it('takes checks added after start', async () => {
    const server = await start();
    server.addCheck({ name: 'cni-config-written', check: () => ({ ok: false }) });
    expect((await get(server, '/readyz')).body).toContain('[-]cni-config-written failed\n');
  });

  it('serves the registry on /metrics as Prometheus text', async () => {
    const metrics = createMetricsRegistry('loom_test', { defaultMetrics: false });
    metrics.counter('syncs_total', 'Syncs.').inc(2);
    const server = await start({ registry: metrics });
    const res = await get(server, '/metrics');
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.body).toContain('loom_test_syncs_total 2');
  });

  it.each([
    { path: '/', status: 404 },
    { path: '/healthz/extra', status: 404 },
    { path: '/metricsx', status: 404 },
    { path: '/%zz', status: 404 },
  ])('answers $status for $path', async ({ path, status }) => {
    const server = await start();
    expect((await get(server, path)).status).toBe(status);
  });

  it('allows only GET and HEAD', async () => {
    const server = await start();
    const res = await fetch(`${server.url}/healthz`, { method: 'POST', body: 'x' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
    expect(await get(server, '/healthz', { method: 'HEAD' })).toMatchObject({
      status: 200,
      body: '',
    });
  });

  it('answers 400 to malformed requests and keeps serving', async () => {
    const server = await start();
    expect(await rawRequest(server, 'GARBAGE\r\n\r\n')).toMatch(/^HTTP\/1\.1 400 Bad Request/);
    expect(
      await rawRequest(server, 'GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n'),
    ).toMatch(/^HTTP\/1\.1 400/);
    expect(
      await rawRequest(server, 'GET http://[::1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'),
    ).toMatch(/^HTTP\/1\.1 (400|404)/);
    expect((await get(server, '/healthz')).status).toBe(200);
  });

  it('closes while a keep-alive client is connected, after in-flight requests finish', async () => {
    let release: () => void = () => {};
    const slow: HealthCheck = {
      name: 'slow',
      check: () => new Promise((resolve) => (release = () => resolve(true))),
    };
    const server = await startHealthServer({ port: 0, host: '127.0.0.1', checks: [slow] });
    await fetch(`${server.url}/metrics`); // leaves an idle keep-alive connection in fetch's pool
    const inFlight = get(server, '/readyz');
    await sleep(50);
    const closed = server.close();
    await sleep(50);
    release();
    expect(await inFlight).toMatchObject({ status: 200 });
    await closed;
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  });

  it('says which address it could not listen on', async () => {
    const server = await start();
    await expect(startHealthServer({ port: server.port, host: '127.0.0.1' })).rejects.toThrow(
      `cannot start health server on 127.0.0.1:${server.port}: listen EADDRINUSE`,
    );
  });
});

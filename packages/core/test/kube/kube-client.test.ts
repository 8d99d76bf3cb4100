import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createKubeClient,
  isKubeApiError,
  KubeApiError,
  KubeConfig,
  KubeConnectionError,
} from '../../src/kube/index.ts';
import { createFakeApiServer } from '../../src/testing/index.ts';

const fake = await createFakeApiServer({ tokens: ['good-token'] });
afterAll(() => fake.close());
const CONFIGMAPS = '/api/v1/namespaces/default/configmaps';

describe('kube client', () => {
  it('sends the kubeconfig credentials', async () => {
    const client = createKubeClient(fake.kubeConfig({ token: 'good-token' }));
    const list = await client.request<{ kind: string }>({ path: CONFIGMAPS });
    expect(list.kind).toBe('ConfigMapList');
    const rejected = createKubeClient(fake.kubeConfig({ token: 'bad-token' }));
    await expect(rejected.request({ path: CONFIGMAPS })).rejects.toMatchObject({ status: 401 });
    client.close();
    rejected.close();
  });

  it('turns error statuses into KubeApiError naming the request', async () => {
    const client = createKubeClient(fake.kubeConfig());
    const err = await client.request({ path: `${CONFIGMAPS}/missing` }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeApiError);
    expect(isKubeApiError(err, 404)).toBe(true);
    expect((err as KubeApiError).reason).toBe('NotFound');
    expect((err as Error).message).toBe(
      `cannot GET ${CONFIGMAPS}/missing: 404 NotFound: configmaps "missing" not found`,
    );
    client.close();
  });

  it('rejects a PUT with a stale resourceVersion with 409 Conflict', async () => {
    const client = createKubeClient(fake.kubeConfig());
    const body = { metadata: { name: 'cas' }, data: { v: '1' } };
    const created = await client.request<typeof body & { metadata: { resourceVersion: string } }>({
      method: 'POST',
      path: CONFIGMAPS,
      body,
    });
    const first = { ...created, data: { v: '2' } };
    await client.request({ method: 'PUT', path: `${CONFIGMAPS}/cas`, body: first });
    const stale = await client
      .request({ method: 'PUT', path: `${CONFIGMAPS}/cas`, body: { ...created, data: { v: '3' } } })
      .catch((e: unknown) => e);
    expect(isKubeApiError(stale, 409)).toBe(true);
    expect((stale as KubeApiError).reason).toBe('Conflict');
    client.close();
  });

  it('reports a refused connection as KubeConnectionError with the server', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    const kc = fake.kubeConfig();
    const client = createKubeClient(
      new KubeConfig({
        users: kc.users,
        contexts: kc.contexts,
        currentContext: kc.getCurrentContext(),
        clusters: [{ name: 'fake', server: `http://127.0.0.1:${port}` }],
      }),
    );
    const err = await client.request({ path: '/api/v1/nodes' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeConnectionError);
    expect((err as Error).message).toMatch(
      new RegExp(`^cannot GET /api/v1/nodes on http://127.0.0.1:${port}: .*ECONNREFUSED`),
    );
    client.close();
  });

  it('times out a request the server never answers', async () => {
    const hang = fake.intercept((req) => (req.path === '/api/v1/hang' ? 'hang' : undefined));
    const client = createKubeClient(fake.kubeConfig({ token: 'good-token' }), {
      requestTimeoutMs: 100,
    });
    const begin = performance.now();
    await expect(client.request({ path: '/api/v1/hang' })).rejects.toBeInstanceOf(
      KubeConnectionError,
    );
    expect(performance.now() - begin).toBeLessThan(1000);
    hang();
    client.close();
  });

  it('speaks TLS with the kubeconfig CA and client certificate, and refuses an unknown CA', async () => {
    const pem = (name: string) => readFileSync(new URL(`fixtures/tls/${name}`, import.meta.url));
    const server = createTlsServer(
      { key: pem('server.key'), cert: pem('server.crt'), ca: pem('ca.crt'), requestCert: true },
      (req, res) => {
        const peer = (req.socket as TLSSocket).getPeerCertificate();
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify({ kind: 'NodeList', items: [], user: peer.subject?.CN ?? null }));
      },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const kubeConfig = (caData?: string) =>
      new KubeConfig({
        clusters: [{ name: 'tls', server: `https://127.0.0.1:${port}`, caData }],
        users: [
          {
            name: 'tls',
            certData: pem('client.crt').toString('base64'),
            keyData: pem('client.key').toString('base64'),
          },
        ],
        contexts: [{ name: 'tls', cluster: 'tls', user: 'tls' }],
        currentContext: 'tls',
      });
    const trusted = createKubeClient(kubeConfig(pem('ca.crt').toString('base64')));
    const untrusted = createKubeClient(kubeConfig());
    try {
      await expect(trusted.request({ path: '/api/v1/nodes' })).resolves.toMatchObject({
        user: 'loom-client',
      });
      await expect(untrusted.request({ path: '/api/v1/nodes' })).rejects.toThrow(
        /cannot GET \/api\/v1\/nodes on https:.*self-signed certificate/,
      );
    } finally {
      trusted.close();
      untrusted.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { KubeConfig } from '../kube/kube-config.ts';
import {
  type ApiTarget,
  createFakeStore,
  FakeApiError,
  type FakeStore,
  type FakeWatchEvent,
  type StoredObject,
} from './fake-apiserver-store.ts';

export { FakeApiError, type FakeStore, type StoredObject } from './fake-apiserver-store.ts';

export interface FakeApiServerOptions {
  /** When set, requests must carry `Authorization: Bearer <one of these>`. */
  tokens?: string[];
  /** How a watch from a compacted resourceVersion learns it: an HTTP 410, or (as current API
   * servers do) a 200 whose stream carries one ERROR event with code 410. Default `event`. */
  goneStyle?: 'status' | 'event';
}

export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  watch: boolean;
  token?: string;
}

/** What an interceptor makes of a request: an error status, a destroyed socket, no answer. */
export type FakeFault = { status: number; reason?: string; message?: string } | 'drop' | 'hang';

export interface FakeApiServer {
  readonly url: string;
  readonly port: number;
  readonly store: FakeStore;
  /** Every request received, in order. */
  readonly requests: FakeRequest[];
  goneStyle: 'status' | 'event';
  /** A KubeConfig for this server; `token` tells candidates apart in interceptors. */
  kubeConfig(options?: { token?: string }): KubeConfig;
  /** Direct writes (they work while the server is stopped); paths are collection paths. */
  create(path: string, obj: StoredObject): StoredObject;
  update(path: string, obj: StoredObject): StoredObject;
  remove(path: string, name: string): StoredObject;
  get(path: string, name: string): StoredObject;
  /** Installs a fault injector; returns its removal. */
  intercept(fault: (req: FakeRequest) => FakeFault | undefined): () => void;
  /** Watches currently open, by the request that opened them. */
  openWatches(): FakeRequest[];
  /** Resolves once at least one watch is open (fault injection wants a victim). */
  waitForWatch(timeoutMs?: number): Promise<void>;
  /** Destroys the sockets of all open watches mid-stream. */
  dropWatches(): void;
  /** New watches get their 200 and then nothing, not even their timeout's end. */
  stallWatches(stalled: boolean): void;
  /** Writes raw text into every open watch (malformed-line tests). */
  writeToWatches(text: string): void;
  /** Stops listening and destroys every connection. */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
  close(): Promise<void>;
}

/** `/api/v1/...` and `/apis/{group}/{version}/...` paths, namespaced or not. */
export function parseApiPath(pathname: string): ApiTarget | undefined {
  const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const core = parts[0] === 'api';
  if (!core && parts[0] !== 'apis') return undefined;
  const group = core ? '' : (parts[1] ?? '');
  const version = core ? parts[1] : parts[2];
  const rest = parts.slice(core ? 2 : 3);
  if (!version || rest.length === 0) return undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    if (rest.length > 4) return undefined;
    return { group, version, plural: rest[2] ?? '', namespace: rest[1], name: rest[3] };
  }
  if (rest.length > 2) return undefined;
  return { group, version, plural: rest[0] ?? '', name: rest[1] };
}

/**
 * An in-process Kubernetes API server for tests, on loopback: real HTTP, the real list/watch
 * protocol (chunked newline-delimited JSON, resourceVersions, bookmarks, 410 Gone, pagination
 * with continue), CRUD with optimistic concurrency (409 on a stale resourceVersion), selectors,
 * and the faults an informer must survive.
 */
export async function createFakeApiServer(
  options: FakeApiServerOptions = {},
): Promise<FakeApiServer> {
  const store = createFakeStore();
  const requests: FakeRequest[] = [];
  const interceptors = new Set<(req: FakeRequest) => FakeFault | undefined>();
  const sockets = new Set<Socket>();
  const watches = new Map<http.ServerResponse, FakeRequest>();
  let stalled = false;
  let port = 0;
  let server: http.Server | undefined;

  const self: FakeApiServer = {
    url: '',
    port: 0,
    store,
    requests,
    goneStyle: options.goneStyle ?? 'event',
    kubeConfig: ({ token = options.tokens?.[0] ?? 'loom-fake-token' } = {}) => {
      return new KubeConfig(
        {
          clusters: [{ name: 'fake', server: self.url }],
          users: [{ name: 'fake', token }],
          contexts: [{ name: 'fake', cluster: 'fake', user: 'fake' }],
          currentContext: 'fake',
        },
        `fake API server ${self.url}`,
      );
    },
    create: (path, obj) => store.create(targetOf(path, obj), obj),
    update: (path, obj) => store.update(targetOf(path, obj, obj.metadata?.name), obj),
    remove: (path, name) => store.remove(targetOf(path, undefined, name)),
    get: (path, name) => store.get(targetOf(path, undefined, name)),
    intercept(fault) {
      interceptors.add(fault);
      return () => interceptors.delete(fault);
    },
    openWatches: () => [...watches.values()],
    async waitForWatch(timeoutMs = 5000) {
      const deadline = performance.now() + timeoutMs;
      while (watches.size === 0) {
        if (performance.now() > deadline) throw new Error('no watch opened on the fake API server');
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
    dropWatches() {
      for (const res of watches.keys()) res.socket?.destroy();
    },
    stallWatches(on) {
      stalled = on;
    },
    writeToWatches(text) {
      for (const res of watches.keys()) res.write(text);
    },
    async stop() {
      const closing = server;
      server = undefined;
      if (!closing) return;
      const closed = new Promise((resolve) => closing.close(resolve));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
    async start() {
      if (server) return;
      server = http.createServer((req, res) => void handle(req, res));
      server.on('connection', (socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
      });
      const listening = server;
      await new Promise<void>((resolve, reject) => {
        listening.once('error', reject);
        listening.listen(port, '127.0.0.1', () => resolve());
      });
      port = (listening.address() as AddressInfo).port;
      Object.assign(self, { port, url: `http://127.0.0.1:${port}` });
    },
    close: () => self.stop(),
  };

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const watchParam = url.searchParams.get('watch');
    const auth = req.headers.authorization;
    const info: FakeRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      watch: watchParam === 'true' || watchParam === '1',
      token: auth?.startsWith('Bearer ') ? auth.slice('Bearer '.length) : undefined,
    };
    requests.push(info);
    for (const interceptor of interceptors) {
      const fault = interceptor(info);
      if (fault === 'drop') return void req.socket.destroy();
      if (fault === 'hang') return;
      if (fault) {
        const { status, reason = 'InternalError', message = 'injected fault' } = fault;
        return sendStatus(res, new FakeApiError(status, reason, message));
      }
    }
    if (options.tokens && !options.tokens.includes(info.token ?? '')) {
      return sendStatus(res, new FakeApiError(401, 'Unauthorized', 'Unauthorized'));
    }
    try {
      const body = ['POST', 'PUT', 'PATCH'].includes(info.method) ? await readJson(req) : undefined;
      route(info, body, res);
    } catch (err) {
      if (err instanceof FakeApiError) return sendStatus(res, err);
      sendStatus(res, new FakeApiError(500, 'InternalError', (err as Error).message));
    }
  }

  function route(info: FakeRequest, body: StoredObject | undefined, res: http.ServerResponse) {
    const target = parseApiPath(info.path);
    if (!target) throw new FakeApiError(404, 'NotFound', `the server could not find ${info.path}`);
    const named = target.name !== undefined;
    const verb = `${info.method} ${named ? 'object' : 'collection'}`;
    if (verb === 'GET collection' && info.watch) return serveWatch(target, info, res);
    if (verb === 'GET collection')
      return sendJson(res, 200, store.list(target, listQuery(info.query)));
    if (verb === 'GET object') return sendJson(res, 200, store.get(target));
    if (verb === 'POST collection') return sendJson(res, 201, store.create(target, body ?? {}));
    if (verb === 'PUT object') return sendJson(res, 200, store.update(target, body ?? {}));
    if (verb === 'PATCH object') return sendJson(res, 200, store.patch(target, body));
    if (verb === 'DELETE object') return sendJson(res, 200, store.remove(target));
    throw new FakeApiError(
      405,
      'MethodNotAllowed',
      `${info.method} is not supported on ${info.path}`,
    );
  }

  function serveWatch(target: ApiTarget, info: FakeRequest, res: http.ServerResponse): void {
    const query = info.query;
    res.setHeader('Content-Type', 'application/json');
    watches.set(res, info);
    res.on('close', () => watches.delete(res));
    if (stalled) return void res.flushHeaders();
    const write = (event: FakeWatchEvent) => void res.write(`${JSON.stringify(event)}\n`);
    let registration: { close(): void };
    try {
      registration = store.watch(
        target,
        {
          ...listQuery(query),
          resourceVersion: query.get('resourceVersion') ?? undefined,
          bookmarks: query.get('allowWatchBookmarks') === 'true',
        },
        { write },
      );
    } catch (err) {
      if (!(err instanceof FakeApiError && err.status === 410 && self.goneStyle === 'event')) {
        watches.delete(res);
        throw err;
      }
      write({ type: 'ERROR', object: err.toStatus() });
      return void res.end();
    }
    res.flushHeaders();
    const timeout = Number(query.get('timeoutSeconds') ?? 0);
    const timer = timeout > 0 ? setTimeout(() => res.end(), timeout * 1000) : undefined;
    res.on('close', () => {
      clearTimeout(timer);
      registration.close();
    });
  }

  function targetOf(path: string, obj?: StoredObject, name?: string): ApiTarget {
    const target = parseApiPath(path);
    if (!target) throw new Error(`not an API path: ${path}`);
    return { ...target, namespace: target.namespace ?? obj?.metadata?.namespace, name };
  }

  await self.start();
  return self;
}

function listQuery(query: URLSearchParams) {
  return {
    labelSelector: query.get('labelSelector') ?? undefined,
    fieldSelector: query.get('fieldSelector') ?? undefined,
    limit: query.has('limit') ? Number(query.get('limit')) : undefined,
    continue: query.get('continue') || undefined,
  };
}

async function readJson(req: http.IncomingMessage): Promise<StoredObject> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as StoredObject;
  } catch (err) {
    throw new FakeApiError(400, 'BadRequest', `invalid JSON body: ${(err as Error).message}`);
  }
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

function sendStatus(res: http.ServerResponse, err: FakeApiError): void {
  sendJson(res, err.status, err.toStatus());
}

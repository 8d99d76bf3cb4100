import http from 'node:http';
import https from 'node:https';
import { KubeApiError, KubeConnectionError } from './kube-errors.ts';
import type { KubeStatus } from './kube-object.ts';

export type KubeMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface KubeRequest {
  method?: KubeMethod;
  /** An absolute API path: `/api/v1/nodes`, `/apis/coordination.k8s.io/v1/namespaces/x/leases/y`. */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  /** Sent as JSON. */
  body?: unknown;
  /** Defaults to `application/json`; PATCH wants e.g. `application/merge-patch+json`. */
  contentType?: string;
  signal?: AbortSignal;
  /** Whole-request timeout for {@link KubeClient.request}; defaults to the client's. */
  timeoutMs?: number;
}

/**
 * What the client needs from a configuration: the server, and per request the TLS material
 * and credentials. Loom's {@link KubeConfig} has this shape; so does `@kubernetes/client-node`'s,
 * which tests that also drive client-node's generated APIs hand over.
 */
export interface KubeClientConfig {
  getCurrentContext(): string;
  getCurrentCluster(): { readonly server: string } | null;
  applyToHTTPSOptions(options: https.RequestOptions): Promise<void>;
}

/**
 * A minimal JSON client over the kubeconfig's TLS material and credentials, on `node:http(s)`
 * with one keep-alive pool: the informer and leader election need a streaming request they
 * fully control (client-node 2.x builds a new TLS connection per request and its Watch
 * swallows malformed lines), and a daemon should not load client-node at all.
 */
export interface KubeClient {
  readonly server: string;
  request<T>(req: KubeRequest): Promise<T>;
  /** Opens a streaming GET; resolves with the 200 response, rejects with KubeApiError otherwise. */
  stream(req: KubeRequest): Promise<http.IncomingMessage>;
  /** Closes pooled connections. */
  close(): void;
}

export interface KubeClientOptions {
  userAgent?: string;
  /** Default timeout of {@link KubeClient.request}, in ms (default 30 s). */
  requestTimeoutMs?: number;
}

const MAX_ERROR_BODY = 64 * 1024;

export function createKubeClient(
  kc: KubeClientConfig,
  options: KubeClientOptions = {},
): KubeClient {
  const cluster = kc.getCurrentCluster();
  if (!cluster) {
    const context = kc.getCurrentContext();
    const which = context ? `context "${context}"` : 'the kubeconfig sets no current-context and';
    throw new Error(`cannot create a Kubernetes client: ${which} has no cluster`);
  }
  const server = cluster.server.replace(/\/+$/, '');
  const userAgent = options.userAgent ?? 'loom/0.1';
  const agents = createAgentPool(server);

  async function send(req: KubeRequest, signal?: AbortSignal): Promise<http.IncomingMessage> {
    const method = req.method ?? 'GET';
    const auth: https.RequestOptions = {};
    try {
      // Re-applied per request: token files and exec plugins rotate credentials.
      await kc.applyToHTTPSOptions(auth);
    } catch (err) {
      throw new KubeConnectionError(method, req.path, server, err);
    }
    const url = new URL(server + req.path);
    for (const [key, value] of Object.entries(req.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const headers: Record<string, string | number> = {
      ...(auth.headers as Record<string, string>),
      Accept: 'application/json',
      'User-Agent': userAgent,
    };
    const payload = req.body === undefined ? undefined : JSON.stringify(req.body);
    if (payload !== undefined) {
      headers['Content-Type'] = req.contentType ?? 'application/json';
      headers['Content-Length'] = Buffer.byteLength(payload);
    }
    const transport = url.protocol === 'https:' ? https : http;
    const agent = agents.get(auth);
    return new Promise((resolve, reject) => {
      const request = transport.request(
        url,
        { method, headers, agent, auth: auth.auth, signal },
        resolve,
      );
      request.on('error', (err) => reject(new KubeConnectionError(method, req.path, server, err)));
      request.end(payload);
    });
  }

  async function request<T>(req: KubeRequest): Promise<T> {
    const timeoutMs = req.timeoutMs ?? options.requestTimeoutMs ?? 30_000;
    const signals = [AbortSignal.timeout(timeoutMs), ...(req.signal ? [req.signal] : [])];
    const signal = AbortSignal.any(signals);
    const method = req.method ?? 'GET';
    const res = await send(req, signal);
    let text: string;
    try {
      text = await readBody(res, Number.POSITIVE_INFINITY);
    } catch (err) {
      throw new KubeConnectionError(method, req.path, server, err);
    }
    const status = res.statusCode ?? 0;
    if (status < 200 || status > 299)
      throw new KubeApiError(method, req.path, status, parseStatus(text));
    try {
      return (text.length > 0 ? JSON.parse(text) : undefined) as T;
    } catch (err) {
      throw new KubeConnectionError(
        method,
        req.path,
        server,
        new Error('response is not JSON', { cause: err }),
      );
    }
  }

  async function stream(req: KubeRequest): Promise<http.IncomingMessage> {
    const res = await send(req, req.signal);
    if (res.statusCode === 200) return res;
    const text = await readBody(res, MAX_ERROR_BODY).catch(() => '');
    throw new KubeApiError(req.method ?? 'GET', req.path, res.statusCode ?? 0, parseStatus(text));
  }

  return { server, request, stream, close: agents.close };
}

/** One keep-alive agent per TLS identity; a new one only when the CA or client cert changes. */
function createAgentPool(server: string) {
  let current: { key: string; agent: http.Agent } | undefined;
  const retired: http.Agent[] = [];
  return {
    get(opts: https.RequestOptions): http.Agent {
      const tls = {
        ca: opts.ca,
        cert: opts.cert,
        key: opts.key,
        pfx: opts.pfx,
        passphrase: opts.passphrase,
        rejectUnauthorized: opts.rejectUnauthorized,
        servername: opts.servername,
      };
      const key = JSON.stringify(tls);
      if (current?.key === key) return current.agent;
      if (current) retired.push(current.agent);
      const agent = server.startsWith('https:')
        ? new https.Agent({ ...tls, keepAlive: true })
        : new http.Agent({ keepAlive: true });
      current = { key, agent };
      return agent;
    },
    close(): void {
      current?.agent.destroy();
      for (const agent of retired.splice(0)) agent.destroy();
      current = undefined;
    },
  };
}

async function readBody(res: http.IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      res.destroy();
      break;
    }
    chunks.push(chunk as Buffer);
  }
  if (!res.complete && size <= limit) throw new Error('response body truncated');
  return Buffer.concat(chunks).toString('utf8');
}

function parseStatus(text: string): KubeStatus | undefined {
  try {
    const parsed = JSON.parse(text) as KubeStatus;
    return parsed && typeof parsed === 'object' ? parsed : undefined;
  } catch {
    return text ? { message: text.slice(0, 500) } : undefined;
  }
}

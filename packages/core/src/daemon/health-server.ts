import { once } from 'node:events';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { CheckOutcome, HealthCheck } from './health-check.ts';
import { renderReport, runCheck } from './health-check.ts';
import type { Logger } from './logger.ts';
import { isShuttingDown } from './shutdown.ts';

/** What `/metrics` serves: a prom-client Registry or a MetricsRegistry. */
export interface MetricsSource {
  readonly contentType: string;
  metrics(): Promise<string>;
}

export interface HealthServerOptions {
  port: number;
  /** Default: every address (`::` and `0.0.0.0`), as a kubelet probe needs. */
  host?: string;
  registry?: MetricsSource;
  checks?: readonly HealthCheck[];
  /** A check that takes longer fails; default 5 s. */
  checkTimeoutMs?: number;
  logger?: Logger;
}

export interface HealthServer {
  readonly port: number;
  /** `http://host:port`, for logs and tests. */
  readonly url: string;
  addCheck(check: HealthCheck): void;
  /** Stops accepting, lets in-flight requests finish, drops idle keep-alive connections. */
  close(): Promise<void>;
}

const TEXT = 'text/plain; charset=utf-8';

interface Handler {
  checks: HealthCheck[];
  timeoutMs: number;
  registry: MetricsSource | undefined;
  closing: boolean;
}

function send(
  handler: Handler,
  res: ServerResponse,
  status: number,
  body: string,
  type = TEXT,
): void {
  const headers: Record<string, string> = {
    'content-type': type,
    'x-content-type-options': 'nosniff',
  };
  // A response finished after close() must not leave its keep-alive connection holding it open.
  if (handler.closing) headers.connection = 'close';
  res.writeHead(status, headers);
  res.end(body);
}

// During shutdown readiness fails first, so Service endpoints drop the pod before it stops.
const SHUTDOWN_CHECK: HealthCheck = {
  name: 'shutdown',
  check: () => (isShuttingDown() ? { ok: false, message: 'shutting down' } : true),
};

async function runAll(handler: Handler): Promise<CheckOutcome[]> {
  return Promise.all(handler.checks.map((check) => runCheck(check, handler.timeoutMs)));
}

async function serveHealthz(
  handler: Handler,
  res: ServerResponse,
  verbose: boolean,
): Promise<void> {
  // Liveness only sees hard failures: a pod that is merely not ready must not be restarted.
  const outcomes = (await runAll(handler)).map((o) => (o.hard ? o : { ...o, ok: true }));
  const passed = outcomes.every((o) => o.ok);
  send(handler, res, passed ? 200 : 503, renderReport('healthz', outcomes, passed, verbose));
}

async function serveReadyz(handler: Handler, res: ServerResponse, verbose: boolean): Promise<void> {
  const outcomes = await runAll({ ...handler, checks: [SHUTDOWN_CHECK, ...handler.checks] });
  const passed = outcomes.every((o) => o.ok);
  send(handler, res, passed ? 200 : 503, renderReport('readyz', outcomes, passed, verbose));
}

async function serveMetrics(handler: Handler, res: ServerResponse): Promise<void> {
  if (handler.registry === undefined) return send(handler, res, 200, '');
  send(handler, res, 200, await handler.registry.metrics(), handler.registry.contentType);
}

async function route(handler: Handler, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = URL.parse(req.url ?? '/', 'http://health.invalid');
  if (url === null) return send(handler, res, 400, 'bad request\n');
  const known = ['/healthz', '/readyz', '/metrics'].includes(url.pathname);
  if (!known) return send(handler, res, 404, '404 page not found\n');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('allow', 'GET, HEAD');
    return send(handler, res, 405, 'method not allowed\n');
  }
  const verbose = url.searchParams.has('verbose');
  if (url.pathname === '/healthz') return serveHealthz(handler, res, verbose);
  if (url.pathname === '/readyz') return serveReadyz(handler, res, verbose);
  return serveMetrics(handler, res);
}

function onClientError(error: Error & { code?: string }, socket: Socket): void {
  // Node's default would also answer 400; doing it here keeps a malformed request quiet.
  if (error.code === 'ECONNRESET' || !socket.writable) return void socket.destroy();
  socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
}

async function listen(server: Server, port: number, host: string | undefined): Promise<void> {
  server.listen(port, host);
  try {
    await once(server, 'listening');
  } catch (cause) {
    const where = `${host ?? '*'}:${port}`;
    throw new Error(`cannot start health server on ${where}: ${(cause as Error).message}`, {
      cause,
    });
  }
}

/** Serves `/healthz`, `/readyz` and `/metrics`; anything else is 404. */
export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const handler: Handler = {
    checks: [...(options.checks ?? [])],
    timeoutMs: options.checkTimeoutMs ?? 5_000,
    registry: options.registry,
    closing: false,
  };
  const server = createServer((req, res) => {
    route(handler, req, res).catch((error: unknown) => {
      options.logger?.error({ err: error, path: req.url }, 'health server request failed');
      if (!res.headersSent) send(handler, res, 500, 'internal error\n');
      else res.destroy();
    });
  });
  server.on('clientError', onClientError);
  await listen(server, options.port, options.host);
  const { port, address, family } = server.address() as AddressInfo;
  const host = family === 'IPv6' ? `[${address}]` : address;
  return {
    port,
    url: `http://${host}:${port}`,
    addCheck: (check) => void handler.checks.push(check),
    close: async () => {
      if (!server.listening) return;
      handler.closing = true;
      const closed = once(server, 'close');
      server.close();
      server.closeIdleConnections();
      await closed;
    },
  };
}

#!/usr/bin/env node
/**
 * The lab's unix-socket bridge: a byte pipe from each listening endpoint to its target.
 *
 * Two copies run. One inside the control-plane namespace listens on unix sockets in the
 * state dir and connects to 192.168.1.10:6443 (and the other components' ports). One in
 * the root namespace listens on 127.0.0.1 and connects to that socket. A socket file is
 * reachable from every network namespace, so the root namespace gets the API server
 * without an address, route or firewall rule. TLS passes through untouched.
 */
import { renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { pino } from 'pino';
import { type Endpoint, type ProxyRoute, parseProxyArgs, renderEndpoint } from './proxy-route.ts';

// The same line format as core's createLogger; importing @loom-net/core would also load the
// Kubernetes client and add ~0.7 s to every bridge start.
const log = pino(
  {
    base: { component: 'lab-bridge' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  },
  pino.destination({ dest: 2, sync: true }),
);

function dial(endpoint: Endpoint): Socket {
  // Half-open both ways: a client that finishes sending still gets the whole answer.
  return endpoint.kind === 'unix'
    ? connect({ path: endpoint.path, allowHalfOpen: true })
    : connect({ host: endpoint.host, port: endpoint.port, allowHalfOpen: true });
}

function pipeBoth(client: Socket, route: ProxyRoute): void {
  const upstream = dial(route.connect);
  const close = () => {
    client.destroy();
    upstream.destroy();
  };
  client.on('error', close);
  upstream.on('error', (error) => {
    // Expected while a component starts (probes arrive before it listens): no stack.
    log.warn(
      { target: renderEndpoint(route.connect), error: error.message },
      'cannot reach target',
    );
    close();
  });
  client.pipe(upstream);
  upstream.pipe(client);
}

function removeStaleSocket(path: string): void {
  try {
    if (statSync(path).isSocket()) rmSync(path);
  } catch {}
}

function listen(
  route: ProxyRoute,
  onLost: (error: Error) => void,
): Promise<{ server: Server; address: string }> {
  const server = createServer({ allowHalfOpen: true }, (client) => pipeBoth(client, route));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    const done = () => {
      server.off('error', reject);
      // Errors after listen come from accept (EMFILE, ENFILE, ENOBUFS under load). Without a
      // listener, the first one would crash the bridge and cut every lab connection: report
      // it and keep serving. A listener that has stopped listening is of no use, though:
      // the bridge then shuts down so its supervisor sees it gone.
      server.on('error', (error) => {
        const listening = server.listening;
        log.error(
          { listen: renderEndpoint(route.listen), error: error.message, listening },
          listening ? 'listener error, still listening' : 'listener error, no longer listening',
        );
        if (!listening) onLost(error);
      });
      const address = server.address();
      const where =
        typeof address === 'object' && address
          ? `tcp:${address.address}:${address.port}`
          : `unix:${String(address)}`;
      resolve({ server, address: where });
    };
    if (route.listen.kind === 'unix') {
      removeStaleSocket(route.listen.path);
      server.listen(route.listen.path, done);
    } else {
      server.listen(route.listen.port, route.listen.host, done);
    }
  });
}

async function main(): Promise<void> {
  const args = parseProxyArgs(process.argv.slice(2));
  let listening: Array<{ server: Server; address: string }> = [];
  const stop = (code: number) => {
    for (const { server } of listening) server.close();
    for (const route of args.routes) {
      if (route.listen.kind === 'unix') rmSync(route.listen.path, { force: true });
    }
    rmSync(args.readyFile, { force: true });
    process.exit(code);
  };
  listening = await Promise.all(args.routes.map((route) => listen(route, () => stop(1))));
  process.on('SIGTERM', () => stop(0));
  process.on('SIGINT', () => stop(0));
  const ready = { pid: process.pid, listening: listening.map(({ address }) => address) };
  writeFileSync(`${args.readyFile}.tmp`, `${JSON.stringify(ready)}\n`);
  renameSync(`${args.readyFile}.tmp`, args.readyFile);
  log.info(ready, 'bridge listening');
}

main().catch((error: unknown) => {
  log.fatal({ err: error }, 'bridge failed to start');
  process.exit(1);
});

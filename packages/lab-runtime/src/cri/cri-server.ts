import { mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import type {
  handleServerStreamingCall,
  handleUnaryCall,
  ServiceClientConstructor,
  UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { Server, ServerCredentials, status } from '@grpc/grpc-js';
import type { Logger } from '@loom-net/core';
import { grpcStatusOf, isCriError } from './cri-error.ts';
import type { CriRequest, UnaryHandler } from './cri-handlers.ts';

/** Told the outcome of every call (`OK` or the gRPC status name), for metrics. */
export type CallObserver = (method: string, code: string) => void;

export interface CriServiceTables {
  service: ServiceClientConstructor;
  unary: Record<string, UnaryHandler>;
  streams: Record<string, UnaryHandler>;
}

type Respond = (error: ReturnType<typeof grpcStatusOf> | null, response?: unknown) => void;

// One place for logging and counting, for unary and streaming calls alike.
function serve(
  logger: Logger,
  observe: CallObserver,
  method: string,
  handler: UnaryHandler,
  request: CriRequest,
  respond: Respond,
): void {
  logger.debug({ method }, 'CRI call');
  Promise.resolve()
    .then(() => handler(request))
    .then(
      (response) => {
        observe(method, 'OK');
        respond(null, response);
      },
      (error: unknown) => {
        // The kubelet asks about things that are gone all the time; not worth a warning.
        const quiet = isCriError(error, 'NOT_FOUND') || isCriError(error, 'UNIMPLEMENTED');
        logger[quiet ? 'debug' : 'warn']({ method, err: error }, 'CRI call failed');
        const failure = grpcStatusOf(error);
        observe(method, status[failure.code] ?? String(failure.code));
        respond(failure);
      },
    );
}

function unary(logger: Logger, observe: CallObserver, method: string, handler: UnaryHandler) {
  const call: handleUnaryCall<CriRequest, unknown> = (call, callback) =>
    serve(logger, observe, method, handler, call.request, (error, response) =>
      error ? callback(error) : callback(null, response),
    );
  return call;
}

// The Stream* list calls: the whole list in one message.
function stream(logger: Logger, observe: CallObserver, method: string, handler: UnaryHandler) {
  const call: handleServerStreamingCall<CriRequest, unknown> = (call) =>
    serve(logger, observe, method, handler, call.request, (error, response) => {
      if (error) {
        call.destroy(Object.assign(new Error(error.details), error));
        return;
      }
      call.write(response);
      call.end();
    });
  return call;
}

/** Serves the CRI services on a unix socket (a stale socket file is replaced). */
export async function startCriServer(
  socket: string,
  tables: readonly CriServiceTables[],
  logger: Logger,
  observe: CallObserver = () => {},
): Promise<Server> {
  const server = new Server();
  for (const table of tables) {
    const implementation: UntypedServiceImplementation = {};
    for (const [method, handler] of Object.entries(table.unary)) {
      implementation[method] = unary(logger, observe, method, handler);
    }
    for (const [method, handler] of Object.entries(table.streams)) {
      implementation[method] = stream(logger, observe, method, handler);
    }
    server.addService(table.service.service, implementation);
  }
  mkdirSync(dirname(socket), { recursive: true });
  rmSync(socket, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.bindAsync(`unix://${socket}`, ServerCredentials.createInsecure(), (error) =>
      error ? reject(error) : resolve(),
    );
  });
  return server;
}

export function stopCriServer(server: Server, graceMs = 5_000): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, graceMs);
    server.tryShutdown(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

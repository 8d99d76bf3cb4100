import type { Logger } from './logger.ts';
import { createLogger } from './logger.ts';

/** Runs when the daemon shuts down; handlers run most recently registered first. */
export type ShutdownHandler = (signal: NodeJS.Signals) => void | Promise<void>;

const SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];

// The kubelet's default grace period is 30 s; finish (or give up) before its SIGKILL.
const DEFAULT_TIMEOUT_MS = 25_000;

// One coordinator per process: signals are process-wide, and so is the order of teardown.
const state = {
  handlers: [] as ShutdownHandler[],
  stop: undefined as ShutdownHandler | undefined,
  logger: undefined as Logger | undefined,
  timeoutMs: DEFAULT_TIMEOUT_MS,
  installed: false,
  shuttingDown: false,
  controller: new AbortController(),
};

function logger(): Logger {
  state.logger ??= createLogger({ component: 'daemon' });
  return state.logger;
}

function exit(code: number): never {
  logger().flush();
  process.exit(code);
}

/** True from the first SIGTERM/SIGINT on; `/readyz` fails from then. */
export function isShuttingDown(): boolean {
  return state.shuttingDown;
}

/** Aborted when shutdown begins, for loops and watches that should stop taking new work. */
export function shutdownSignal(): AbortSignal {
  return state.controller.signal;
}

async function runHandlers(signal: NodeJS.Signals, withStop: boolean): Promise<boolean> {
  let ok = true;
  const stop = withStop && state.stop ? [state.stop] : [];
  const steps = [...stop, ...[...state.handlers].reverse()];
  for (const step of steps) {
    try {
      await step(signal);
    } catch (error) {
      ok = false;
      logger().error({ err: error }, 'shutdown step failed');
    }
  }
  return ok;
}

async function shutDown(signal: NodeJS.Signals): Promise<void> {
  if (state.shuttingDown) {
    logger().warn({ signal }, 'second signal during shutdown, exiting now');
    exit(1);
  }
  state.shuttingDown = true;
  state.controller.abort();
  logger().info({ signal, timeoutMs: state.timeoutMs }, 'shutting down');
  setTimeout(() => {
    logger().error({ timeoutMs: state.timeoutMs }, 'shutdown timed out, exiting');
    exit(1);
  }, state.timeoutMs);
  const ok = await runHandlers(signal, true);
  logger().info({ ok }, 'shutdown complete');
  exit(ok ? 0 : 1);
}

function installSignalHandlers(): void {
  if (state.installed) return;
  state.installed = true;
  for (const signal of SIGNALS) process.on(signal, (s: NodeJS.Signals) => void shutDown(s));
}

/**
 * Registers a teardown step and takes over SIGTERM/SIGINT: on the first signal every step
 * runs and the process exits 0 (1 if a step threw); a second signal or the timeout exits 1.
 * Returns a function that unregisters the step.
 */
export function onShutdown(handler: ShutdownHandler): () => void {
  installSignalHandlers();
  state.handlers.push(handler);
  return () => {
    state.handlers = state.handlers.filter((h) => h !== handler);
  };
}

export interface DaemonOptions {
  /** Logs the lifecycle; default a logger with component `daemon`. */
  logger?: Logger;
  /** Start informers, servers, loops. Throwing (or rejecting) exits 1 after teardown. */
  start(context: { signal: AbortSignal }): unknown;
  /** Runs first on shutdown: stop informers and wait for in-flight work. */
  stop?(): void | Promise<void>;
  /** Exit 1 when teardown takes longer; default 25 s. */
  shutdownTimeoutMs?: number;
}

/**
 * Runs a daemon: `start`, then on SIGTERM/SIGINT `stop`, then the `onShutdown` steps (most
 * recent first, e.g. closing the health server last-registered-first), then exit 0.
 */
export async function runDaemon(options: DaemonOptions): Promise<void> {
  state.logger = options.logger ?? logger();
  state.timeoutMs = options.shutdownTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  state.stop = options.stop ? () => options.stop?.() : undefined;
  installSignalHandlers();
  process.on('uncaughtException', (error) => {
    logger().fatal({ err: error }, 'uncaught exception');
    exit(1);
  });
  process.on('unhandledRejection', (reason) => {
    logger().fatal({ err: reason }, 'unhandled promise rejection');
    exit(1);
  });
  try {
    await options.start({ signal: state.controller.signal });
  } catch (error) {
    if (state.shuttingDown) return; // start was cut short by a signal; shutDown exits.
    logger().fatal({ err: error }, 'daemon failed to start');
    // Release what start got to (servers, sockets); `stop` expects a started daemon.
    await runHandlers('SIGTERM', false);
    exit(1);
  }
  logger().info('daemon started');
}

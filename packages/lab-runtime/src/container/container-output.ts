import { closeSync, constants, mkdirSync, openSync, writeSync } from 'node:fs';
import { Socket } from 'node:net';
import { dirname, join } from 'node:path';
import type { Logger } from '@loom-net/core';
import { formatRfc3339Nano, nowNs } from '../cri/clock.ts';
import type { LogRecord, LogStream } from './cri-log-format.ts';
import { createLogLineSplitter, formatLogRecord } from './cri-log-format.ts';

/** A running container's output, copied from its FIFOs into its CRI log file. */
export interface ContainerOutput {
  /** Resolves once both FIFOs reached EOF: every writer (shim, container) is gone. */
  readonly drained: Promise<void>;
  /** Closes the log file and opens it again at the same path (the kubelet rotated it). */
  reopen(): void;
  /** Stops copying without waiting (runtime shutdown); the shim keeps the FIFOs alive. */
  close(): void;
}

const LOG_FLAGS =
  constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW;

function openLog(path: string): number {
  mkdirSync(dirname(path), { recursive: true });
  return openSync(path, LOG_FLAGS, 0o640);
}

/**
 * Starts copying `<dir>/stdout` and `<dir>/stderr` into `logPath` in the CRI format (with a
 * tty both go to stdout, as containerd does). Call it only once the shim holds the FIFOs open,
 * or the first read sees EOF. With no log path the output is read and dropped.
 */
export function attachContainerOutput(
  dir: string,
  logPath: string,
  tty: boolean,
  logger: Logger,
): ContainerOutput {
  let fd: number | undefined;
  const open = () => {
    if (logPath === '') return;
    try {
      fd = openLog(logPath);
    } catch (error) {
      logger.error({ err: error, logPath }, 'cannot open container log; dropping its output');
    }
  };
  open();
  const write = (stream: LogStream, records: LogRecord[]) => {
    if (fd === undefined) return;
    for (const record of records) {
      writeSync(fd, formatLogRecord(formatRfc3339Nano(nowNs()), stream, record));
    }
  };
  const sockets: Socket[] = [];
  const copy = (name: LogStream): Promise<void> => {
    const stream: LogStream = tty ? 'stdout' : name;
    const splitter = createLogLineSplitter();
    const readFd = openSync(join(dir, name), constants.O_RDONLY | constants.O_NONBLOCK);
    const socket = new Socket({ fd: readFd, readable: true, writable: false });
    sockets.push(socket);
    return new Promise((resolve) => {
      socket.on('data', (chunk: Buffer) => write(stream, splitter.push(chunk)));
      socket.on('end', () => write(stream, splitter.end()));
      socket.on('error', (error) => logger.warn({ err: error, stream: name }, 'container output'));
      socket.on('close', () => resolve());
    });
  };
  const drained = Promise.all([copy('stdout'), copy('stderr')]).then(() => {
    if (fd !== undefined) closeSync(fd);
    fd = undefined;
  });
  return {
    drained,
    reopen() {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
      if (logPath !== '') fd = openLog(logPath);
    },
    close() {
      for (const socket of sockets) socket.destroy();
    },
  };
}

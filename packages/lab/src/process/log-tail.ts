import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { RUN_MARKER } from './detached-process.ts';

// Component logs grow to megabytes; the tail is always in the last few kilobytes.
const TAIL_BYTES = 64 * 1024;

/** The last `lines` lines a component wrote in its latest run ('' when there is none). */
export function logTail(logFile: string, lines = 15): string {
  let fd: number;
  try {
    fd = openSync(logFile, 'r');
  } catch {
    return '';
  }
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, TAIL_BYTES);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    return tailOfLatestRun(buffer.toString('utf8'), lines);
  } finally {
    closeSync(fd);
  }
}

export function tailOfLatestRun(text: string, lines: number): string {
  const lastRun = text.lastIndexOf(RUN_MARKER);
  const run = lastRun < 0 ? text : text.slice(text.indexOf('\n', lastRun) + 1);
  const tail = run.trimEnd().split('\n').slice(-lines).join('\n');
  return tail.trim() === '' ? '' : tail;
}

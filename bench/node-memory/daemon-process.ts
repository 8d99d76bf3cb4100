import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';

/** What a daemon's `/metrics` says about its memory (prom-client's default metrics), in bytes. */
export interface MemoryReading {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  /** RSS split from /proc/<pid>/status: anonymous (the heap, malloc) and file-backed (mostly the
   * node binary's pages, shared with every other Node process on the host). */
  anon: number;
  file: number;
}

/**
 * A Loom daemon run as the DaemonSet/Deployment runs it: `node <bundle's first-line flags>
 * <bundle> <flags>` (the image's Node path is not this machine's, so the first line is read
 * rather than executed).
 */
export interface DaemonProcess {
  readonly name: string;
  readonly pid: number;
  /** Its `/metrics` text. */
  metrics(): Promise<string>;
  memory(): Promise<MemoryReading>;
  /** Resolves once `/readyz` answers 200. */
  ready(timeoutMs: number): Promise<void>;
  /** The last log lines, for a failure message. */
  lastLogs(): string[];
  /** SIGTERM, then SIGKILL after 10 s; only this process. */
  stop(): Promise<void>;
}

const LOG_LINES_KEPT = 20;

/** `--optimize-for-size` of `#!/usr/local/bin/node --optimize-for-size`: what the image runs. */
async function shebangFlags(bundle: string): Promise<string[]> {
  const first = (await readFile(bundle, 'utf8')).slice(0, 256).split('\n', 1)[0] ?? '';
  if (!first.startsWith('#!')) return [];
  return first.slice(2).trim().split(/\s+/).slice(1);
}

export async function startDaemon(options: {
  name: string;
  bundle: string;
  args: readonly string[];
  /** Node's own flags, before the bundle. */
  nodeFlags?: readonly string[];
  env?: Record<string, string>;
}): Promise<DaemonProcess> {
  const argv = [
    ...(await shebangFlags(options.bundle)),
    ...(options.nodeFlags ?? []),
    options.bundle,
    ...options.args,
  ];
  const child = spawn(process.execPath, argv, {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const keep = (line: string) => {
    logs.push(line);
    if (logs.length > LOG_LINES_KEPT) logs.shift();
  };
  createInterface({ input: child.stderr }).on('line', keep);
  const url = await healthUrl(child, options.name, keep, logs);
  const get = async (path: string) => {
    const res = await fetch(`${url}${path}`);
    return { status: res.status, text: await res.text() };
  };
  return {
    name: options.name,
    pid: child.pid ?? 0,
    metrics: async () => (await get('/metrics')).text,
    async memory() {
      const text = (await get('/metrics')).text;
      return {
        rss: metricSum(text, 'process_resident_memory_bytes'),
        heapUsed: metricSum(text, 'nodejs_heap_size_used_bytes'),
        heapTotal: metricSum(text, 'nodejs_heap_size_total_bytes'),
        external: metricSum(text, 'nodejs_external_memory_bytes'),
        ...(await rssSplit(child.pid ?? 0)),
      };
    },
    async ready(timeoutMs) {
      const deadline = performance.now() + timeoutMs;
      while ((await get('/readyz').catch(() => ({ status: 0 }))).status !== 200) {
        if (performance.now() > deadline) {
          throw new Error(`${options.name} not ready after ${timeoutMs} ms:\n${logs.join('\n')}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    },
    lastLogs: () => [...logs],
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Reads the JSON log on stdout until the daemon says where its health server listens. */
async function healthUrl(
  child: ChildProcess,
  name: string,
  keep: (line: string) => void,
  logs: string[],
): Promise<string> {
  const lines = createInterface({ input: child.stdout! });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name}: no health URL after 30 s`)), 30_000);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${signal ?? code}) before serving:\n${logs.join('\n')}`));
    });
    lines.on('line', (line) => {
      keep(line);
      let record: { url?: unknown };
      try {
        record = JSON.parse(line);
      } catch {
        return;
      }
      if (typeof record.url === 'string' && record.url.startsWith('http')) {
        clearTimeout(timer);
        resolve(record.url.replace(/\/+$/, ''));
      }
    });
  });
}

async function rssSplit(pid: number): Promise<{ anon: number; file: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
  return { anon: kb('RssAnon') * 1024, file: kb('RssFile') * 1024 };
}

/** The sum of every sample of `name` in Prometheus text (labels ignored); NaN when absent. */
export function metricSum(text: string, name: string): number {
  let sum = Number.NaN;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    sum = (Number.isNaN(sum) ? 0 : sum) + value;
  }
  return sum;
}

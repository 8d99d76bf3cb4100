import type { SpawnSyncReturns } from 'node:child_process';
import { getSystemErrorName } from 'node:util';
import { childProcessModule } from './child-process-module.ts';

export interface SyncSpawnRequest {
  file: string;
  args: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  input: string;
  timeoutMs: number;
  maxBuffer: number;
}

export interface SyncSpawnOutcome {
  stdout: string;
  stderr: string;
  /** null when the process was killed or never started. */
  status: number | null;
  /** The errno name (ENOENT, ETIMEDOUT, EPIPE, ENOBUFS) when libuv reported one. */
  errorCode?: string;
  errorMessage?: string;
}

// What Node's `spawn_sync` binding takes and answers (lib/internal/child_process.js, Node 24):
// the options `child_process.spawnSync` hands it once it has validated them.
interface SpawnSyncBinding {
  spawn(options: {
    file: string;
    args: string[];
    envPairs: string[];
    stdio: Array<{ type: 'pipe'; readable: boolean; writable: boolean; input?: Uint8Array }>;
    timeout: number;
    maxBuffer: number;
    killSignal: number;
  }): { status: number | null; output: Array<Uint8Array | null> | null; error?: number };
}

const SIGKILL = 9;

/**
 * Runs a process to completion, the way `child_process.spawnSync` does, through Node's
 * `spawn_sync` binding when the process can reach it. Loading `node:child_process` pulls in
 * `net`, `dgram` and the streams (~3 ms); with a flag that changes V8's flag hash (the CNI
 * executables start with `--no-rehash-snapshot`) none of those modules can use Node's embedded
 * code cache any more and loading them costs ~10 ms, more than the flag saves. A plugin call
 * spawns a few short commands and nothing else, so it goes straight to the binding that
 * `spawnSync` itself ends in. Elsewhere (or should the binding go away) it is plain `spawnSync`.
 */
export function spawnToCompletion(request: SyncSpawnRequest): SyncSpawnOutcome {
  const binding = spawnSyncBinding();
  return binding === undefined ? viaChildProcess(request) : viaBinding(binding, request);
}

/** The two ways, by name, so that tests hold them to the same behaviour. */
export const spawnWays = {
  binding: (request: SyncSpawnRequest): SyncSpawnOutcome => {
    const binding = spawnSyncBinding();
    if (binding === undefined) throw new Error('this Node has no spawn_sync binding');
    return viaBinding(binding, request);
  },
  childProcess: viaChildProcess,
};

let cachedBinding: SpawnSyncBinding | null | undefined;

function spawnSyncBinding(): SpawnSyncBinding | undefined {
  if (cachedBinding === undefined) {
    try {
      // `process.binding` is deprecated (DEP0111) but kept for this allow-listed module; it
      // is absent from the types on purpose.
      const legacy = process as unknown as { binding?: (name: string) => unknown };
      const binding = legacy.binding?.('spawn_sync') as SpawnSyncBinding | undefined;
      cachedBinding = typeof binding?.spawn === 'function' ? binding : null;
    } catch {
      cachedBinding = null;
    }
  }
  return cachedBinding ?? undefined;
}

function viaBinding(binding: SpawnSyncBinding, request: SyncSpawnRequest): SyncSpawnOutcome {
  const envPairs = Object.entries(request.env).flatMap(([key, value]) =>
    value === undefined ? [] : [`${key}=${value}`],
  );
  const result = binding.spawn({
    file: request.file,
    args: [request.file, ...request.args],
    envPairs,
    stdio: [
      { type: 'pipe', readable: true, writable: false, input: Buffer.from(request.input) },
      { type: 'pipe', readable: false, writable: true },
      { type: 'pipe', readable: false, writable: true },
    ],
    timeout: request.timeoutMs,
    maxBuffer: request.maxBuffer,
    killSignal: SIGKILL,
  });
  const text = (chunk: Uint8Array | null | undefined) =>
    chunk ? Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('utf8') : '';
  const outcome: SyncSpawnOutcome = {
    stdout: text(result.output?.[1]),
    stderr: text(result.output?.[2]),
    status: result.status,
  };
  if (result.error === undefined || result.error === 0) return outcome;
  const errorCode = getSystemErrorName(result.error);
  return { ...outcome, errorCode, errorMessage: `spawnSync ${request.file} ${errorCode}` };
}

function viaChildProcess(request: SyncSpawnRequest): SyncSpawnOutcome {
  const { spawnSync } = childProcessModule();
  const child: SpawnSyncReturns<string> = spawnSync(request.file, request.args, {
    env: request.env,
    input: request.input,
    timeout: request.timeoutMs,
    killSignal: 'SIGKILL',
    encoding: 'utf8',
    maxBuffer: request.maxBuffer,
  });
  const outcome = { stdout: child.stdout ?? '', stderr: child.stderr ?? '', status: child.status };
  const error = child.error as NodeJS.ErrnoException | undefined;
  if (error === undefined) return outcome;
  return { ...outcome, errorCode: error.code ?? 'UNKNOWN', errorMessage: error.message };
}

import type { ChildProcess } from 'node:child_process';
import type { CniCommand } from '../types/cni-command.ts';
import { CNI_ERROR, CniError } from '../types/cni-error.ts';
import type { CniResult } from '../types/cni-result.ts';
import { readResult } from '../types/result-versions.ts';

/** One run of a plugin executable. */
export interface PluginCall {
  command: CniCommand;
  /** The whole environment (pluginEnvironment / delegateEnvironment build it). */
  env: NodeJS.ProcessEnv;
  /** The configuration, written to the plugin's stdin. */
  stdin: string;
  /** What messages call the plugin: `plugin "bridge"`, `IPAM plugin host-local`. */
  label: string;
  /**
   * The plugin's stderr: 'capture' keeps it for the error of a failed call (a runtime);
   * 'inherit' passes it through to ours (a plugin delegating, SPEC.md section 4).
   */
  stderr?: 'capture' | 'inherit';
  /** SIGKILL after this long; default 120 s. */
  timeoutMs?: number;
}

/** Runs a plugin: its stdout when it exits 0, else a {@link CniError} (see execPlugin). */
export type ExecPlugin = (path: string, call: PluginCall) => Promise<string>;

const DEFAULT_TIMEOUT_MS = 120_000;
const DETAILS_LIMIT = 500;

/**
 * pkg/invoke RawExec.ExecPlugin. A plugin that fails with the spec's error result keeps its code
 * (a runtime may retry on 11), its message prefixed with `<label> failed <COMMAND>: ` and its
 * details; any other failure (it cannot be started, it dies, it prints no error result) is code
 * 106, with what it printed as the details.
 */
export const execPlugin: ExecPlugin = (path, call) => {
  // Loaded at the first call: a plugin that never delegates never pays for node:child_process
  // (it pulls in net, dgram and the streams; several ms of every CNI call).
  const { spawn } = process.getBuiltinModule('node:child_process');
  return new Promise((resolve, reject) => {
    const child = spawn(path, [], {
      env: call.env,
      stdio: ['pipe', 'pipe', call.stderr === 'inherit' ? 'inherit' : 'pipe'],
    });
    const output = collect(child);
    const timeoutMs = call.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdin?.on('error', () => {});
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(
        new CniError(
          CNI_ERROR.delegateFailed,
          `cannot run ${call.label} ${path}: ${error.message}`,
          { cause: error },
        ),
      );
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const { stdout, stderr } = output();
      if (code === 0) return resolve(stdout);
      const how = timedOut
        ? `killed after ${timeoutMs / 1000} s`
        : (signal ?? `exit code ${code ?? 'unknown'}`);
      reject(pluginFailure(call, stdout, stderr, how));
    });
    child.stdin?.end(call.stdin);
  });
};

function collect(child: ChildProcess): () => { stdout: string; stderr: string } {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => err.push(chunk));
  return () => ({
    stdout: Buffer.concat(out).toString('utf8'),
    stderr: Buffer.concat(err).toString('utf8'),
  });
}

// The spec's error result on stdout: {cniVersion, code, msg, details} (SPEC.md section 5).
function pluginFailure(call: PluginCall, stdout: string, stderr: string, how: string): CniError {
  const failed = `${call.label} failed ${call.command}`;
  try {
    const result = JSON.parse(stdout) as { code?: unknown; msg?: unknown; details?: unknown };
    if (typeof result.code === 'number' && typeof result.msg === 'string') {
      const details =
        typeof result.details === 'string' && result.details !== '' ? result.details : undefined;
      return new CniError(result.code, `${failed}: ${result.msg}`, { details });
    }
  } catch {}
  const printed = (stderr.trim() || stdout.trim()).slice(0, DETAILS_LIMIT);
  return new CniError(CNI_ERROR.delegateFailed, `${failed} (${how})`, {
    details: printed === '' ? undefined : printed,
  });
}

/**
 * pkg/invoke ExecPluginWithResult: an ADD whose stdout is read as a result, in its own
 * `cniVersion` or else the configuration's (`configVersion`).
 */
export async function execPluginWithResult(
  exec: ExecPlugin,
  path: string,
  call: PluginCall,
  configVersion: string,
): Promise<CniResult> {
  const stdout = await exec(path, call);
  let value: unknown;
  try {
    value = JSON.parse(stdout);
  } catch {
    throw new CniError(
      CNI_ERROR.delegateFailed,
      `${call.label} printed a result that is not JSON`,
      {
        details: stdout.slice(0, DETAILS_LIMIT),
      },
    );
  }
  return readResult(value, configVersion, `the result of ${call.label}`);
}

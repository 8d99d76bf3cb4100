import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { childProcessModule } from '@loom-net/core/kernel';
import {
  allocate,
  attachmentOf,
  CNI_ERROR,
  type CniCommand,
  CniError,
  type CniRequest,
  type CniResult,
  ipamConfigOf,
  ipamPluginHandlers,
  parseResult,
} from '@loom-net/ipam';
import type { Rollback } from './rollback.ts';

/** The IPAM plugin of an attachment, reached the same way whatever it is. */
export interface IpamDelegate {
  readonly type: string;
  /** ADD, registering on `rollback` how to give the addresses back if the attachment fails. */
  add(rollback: Rollback): Promise<CniResult>;
  del(): Promise<void>;
  check(): Promise<void>;
  gc(): Promise<void>;
  status(): Promise<void>;
}

export const LOOM_IPAM = 'loom-ipam';

/** loom-ipam runs in this process (no second process start); any other type runs from CNI_PATH. */
export function ipamDelegate(request: CniRequest, type: string): IpamDelegate {
  return type === LOOM_IPAM ? inProcessIpam(request) : execIpam(request, type);
}

function inProcessIpam(request: CniRequest): IpamDelegate {
  const del = async () => ipamPluginHandlers.del(request);
  return {
    type: LOOM_IPAM,
    add: async (rollback) => {
      // Its transaction either commits or leaves nothing, so only a committed new allocation has
      // an undo; addresses the attachment already held (a repeated ADD) stay with it.
      const { result, reused } = allocate(ipamConfigOf(request), attachmentOf(request.env));
      if (!reused) rollback.push('loom-ipam allocation', del);
      return result;
    },
    del,
    check: async () => ipamPluginHandlers.check(request),
    gc: async () => ipamPluginHandlers.gc(request),
    status: async () => ipamPluginHandlers.status(request),
  };
}

function execIpam(request: CniRequest, type: string): IpamDelegate {
  const run = (command: CniCommand) => runDelegate(request, type, command);
  return {
    type,
    add: async (rollback) => {
      // SPEC.md section 4: a delegate whose ADD fails is called with DEL before failing, so the
      // undo is registered before the ADD runs.
      rollback.push(`IPAM ${type} allocation`, () => run('DEL'));
      const stdout = await run('ADD');
      let value: unknown;
      try {
        value = JSON.parse(stdout);
      } catch {
        throw new CniError(
          CNI_ERROR.delegateFailed,
          `IPAM plugin ${type} printed a result that is not JSON`,
          { details: stdout.slice(0, 500) },
        );
      }
      return parseResult(value, `the result of IPAM plugin ${type}`);
    },
    del: async () => void (await run('DEL')),
    check: async () => void (await run('CHECK')),
    gc: async () => skipIfUnsupported(type, 'GC', run('GC')),
    status: async () => skipIfUnsupported(type, 'STATUS', run('STATUS')),
  };
}

// A plugin older than spec 1.1.0 knows neither GC nor STATUS; runtimes skip those verbs for
// such plugins (libcni checks VERSION first), so a delegate that refuses them is not an error.
async function skipIfUnsupported(
  type: string,
  command: string,
  outcome: Promise<string>,
): Promise<void> {
  try {
    await outcome;
  } catch (error) {
    const code = (error as CniError).code;
    if (code !== CNI_ERROR.incompatibleVersion && code !== CNI_ERROR.invalidEnvironment)
      throw error;
    process.stderr.write(
      `loom-cni: IPAM plugin ${type} does not implement ${command} (spec 1.1.0); skipped\n`,
    );
  }
}

/**
 * Runs the delegate with this plugin's environment and configuration (SPEC.md section 4), its
 * stderr passed through. Debian's plugins stop at spec 1.0.0, whose results and verbs are the
 * same as 1.1.0's for ADD, DEL and CHECK, so a 1.1.0 config refused as too new is retried as 1.0.0.
 */
async function runDelegate(
  request: CniRequest,
  type: string,
  command: CniCommand,
): Promise<string> {
  const file = findPlugin(request.env.path, type);
  try {
    return await execPlugin(file, type, command, request.stdin);
  } catch (error) {
    const retry =
      (error as CniError).code === CNI_ERROR.incompatibleVersion &&
      request.cniVersion === '1.1.0' &&
      (command === 'ADD' || command === 'DEL' || command === 'CHECK');
    if (!retry) throw error;
    return await execPlugin(
      file,
      type,
      command,
      JSON.stringify({ ...request.config, cniVersion: '1.0.0' }),
    );
  }
}

export function findPlugin(path: readonly string[], type: string): string {
  if (path.length === 0) {
    throw new CniError(
      CNI_ERROR.invalidEnvironment,
      `CNI_PATH is not set: cannot find IPAM plugin ${type}`,
    );
  }
  for (const dir of path) {
    const file = join(dir, type);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {}
  }
  throw new CniError(
    CNI_ERROR.invalidEnvironment,
    `cannot find IPAM plugin ${type} in CNI_PATH ${path.join(':')}`,
  );
}

const DELEGATE_TIMEOUT_MS = 60_000;

function execPlugin(
  file: string,
  type: string,
  command: CniCommand,
  stdin: string,
): Promise<string> {
  const { spawn } = childProcessModule();
  return new Promise((resolve, reject) => {
    const child = spawn(file, [], {
      env: { ...process.env, CNI_COMMAND: command },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => child.kill('SIGKILL'), DELEGATE_TIMEOUT_MS);
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stdin.on('error', () => {});
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(
        new CniError(CNI_ERROR.delegateFailed, `cannot run IPAM plugin ${file}: ${error.message}`, {
          cause: error,
        }),
      );
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stdout = Buffer.concat(chunks).toString('utf8');
      if (code === 0) resolve(stdout);
      else reject(delegateError(type, command, stdout, signal ?? `exit code ${code}`));
    });
    child.stdin.end(stdin);
  });
}

// The delegate's own error result keeps its code (a runtime may retry on 11), with the
// delegate named in the message.
function delegateError(type: string, command: CniCommand, stdout: string, how: string): CniError {
  try {
    const result = JSON.parse(stdout) as { code?: unknown; msg?: unknown; details?: unknown };
    if (typeof result.code === 'number' && typeof result.msg === 'string') {
      const details =
        typeof result.details === 'string' && result.details !== '' ? result.details : undefined;
      return new CniError(result.code, `IPAM plugin ${type} failed ${command}: ${result.msg}`, {
        details,
      });
    }
  } catch {}
  return new CniError(CNI_ERROR.delegateFailed, `IPAM plugin ${type} failed ${command} (${how})`, {
    details: stdout.trim().slice(0, 500) || undefined,
  });
}

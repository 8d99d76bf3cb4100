import { CNI_ERROR, type CniCommand, type CniError, type CniResult } from '@loom-net/cni-spec';
import {
  delegateEnvironment,
  execPlugin,
  execPluginWithResult,
  type PluginCall,
  requireInPath,
} from '@loom-net/cni-spec/invoke';
import { attachmentOf, type CniRequest } from '@loom-net/cni-spec/skel';
import { allocate, ipamConfigOf, ipamPluginHandlers } from '@loom-net/ipam';
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
  const run = (command: Exclude<CniCommand, 'ADD' | 'VERSION'>) =>
    runDelegate(request, type, command, (file, call) => execPlugin(file, call));
  return {
    type,
    add: async (rollback) => {
      // SPEC.md section 4: a delegate whose ADD fails is called with DEL before failing, so the
      // undo is registered before the ADD runs.
      rollback.push(`IPAM ${type} allocation`, () => run('DEL'));
      return runDelegate(request, type, 'ADD', (file, call) =>
        execPluginWithResult(execPlugin, file, call, request.cniVersion),
      );
    },
    del: async () => void (await run('DEL')),
    check: async () => void (await run('CHECK')),
    gc: () => skipIfUnsupported(type, 'GC', run('GC')),
    status: () => skipIfUnsupported(type, 'STATUS', run('STATUS')),
  };
}

// A plugin older than spec 1.1.0 knows neither GC nor STATUS; runtimes skip those verbs for
// such plugins (libcni checks VERSION first), so a delegate that refuses them is not an error.
async function skipIfUnsupported(
  type: string,
  command: string,
  outcome: Promise<unknown>,
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

const DELEGATE_TIMEOUT_MS = 60_000;

/**
 * Runs the delegate with this plugin's environment and configuration (SPEC.md section 4), its
 * stderr passed through. Debian's plugins stop at spec 1.0.0, whose results and verbs are the
 * same as 1.1.0's for ADD, DEL and CHECK, so a 1.1.0 config refused as too new is retried as 1.0.0.
 */
async function runDelegate<T>(
  request: CniRequest,
  type: string,
  command: Exclude<CniCommand, 'VERSION'>,
  exec: (file: string, call: PluginCall) => Promise<T>,
): Promise<T> {
  const label = `IPAM plugin ${type}`;
  const file = requireInPath(type, request.env.path, label);
  const call = (stdin: string): PluginCall => ({
    command,
    env: delegateEnvironment(command),
    stdin,
    label,
    stderr: 'inherit',
    timeoutMs: DELEGATE_TIMEOUT_MS,
  });
  try {
    return await exec(file, call(request.stdin));
  } catch (error) {
    const retry =
      (error as CniError).code === CNI_ERROR.incompatibleVersion &&
      request.cniVersion === '1.1.0' &&
      (command === 'ADD' || command === 'DEL' || command === 'CHECK');
    if (!retry) throw error;
    return await exec(file, call(JSON.stringify({ ...request.config, cniVersion: '1.0.0' })));
  }
}

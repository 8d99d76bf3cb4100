import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { CriError } from '../cri/cri-error.ts';
import type { RuntimeContext } from '../runtime-context.ts';
import { requireId } from '../store/id-lookup.ts';
import type { ContainerRecord } from '../store/records.ts';
import { isAlive, processGroupMembers } from './proc-stat.ts';

/** containerd caps each stream of ExecSync output at 16 MiB. */
const MAX_OUTPUT = 16 * 1024 * 1024;

export interface ExecSyncResult {
  stdout: Buffer;
  stderr: Buffer;
  exit_code: number;
}

function collect(chunks: Buffer[], size: { n: number }, chunk: Buffer): void {
  if (size.n >= MAX_OUTPUT) return;
  const part = chunk.subarray(0, MAX_OUTPUT - size.n);
  chunks.push(part);
  size.n += part.length;
}

// nsenter joins the container's namespaces, chroots into its root and cwd, then forks (a PID
// namespace takes effect for children) and passes the command's exit status on.
function execArgv(record: ContainerRecord, cmd: readonly string[]): string[] {
  const pid = String(record.process!.pid);
  const user = record.user === undefined ? legacyUser(record) : record.user;
  const ids = user === null ? [] : [`--setuid=${user.uid}`, `--setgid=${user.gid}`];
  const namespaces = ['--mount', '--uts', '--net', '--pid', '--root', '--wd'];
  return ['/usr/bin/nsenter', `--target=${pid}`, ...namespaces, ...ids, '--', ...cmd];
}

// Records written before the user was recorded: run_as_user / run_as_group only.
function legacyUser(record: ContainerRecord): { uid: number; gid: number } | null {
  const context = record.config.linux?.security_context;
  if (context?.run_as_user == null) return null;
  return { uid: Number(context.run_as_user.value), gid: Number(context.run_as_group?.value ?? 0) };
}

interface RunOutcome {
  stdout: Buffer;
  stderr: Buffer;
  exitCode: number;
  timedOut: boolean;
}

function run(argv: readonly string[], env: NodeJS.ProcessEnv, timeoutSeconds: number) {
  return new Promise<RunOutcome>((resolve, reject) => {
    // Its own process group, so that a timeout finds everything the command started.
    const child = spawn(argv[0]!, argv.slice(1), {
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const sizes = { out: { n: 0 }, err: { n: 0 } };
    let timedOut = false;
    const kill = () => {
      timedOut = true;
      if (child.pid !== undefined) killCommand(child.pid);
    };
    const timer = timeoutSeconds > 0 ? setTimeout(kill, timeoutSeconds * 1000) : undefined;
    child.stdout.on('data', (chunk: Buffer) => collect(out, sizes.out, chunk));
    child.stderr.on('data', (chunk: Buffer) => collect(err, sizes.err, chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const exitCode = code ?? 128 + signalNumber(signal);
      resolve({ stdout: Buffer.concat(out), stderr: Buffer.concat(err), exitCode, timedOut });
    });
  });
}

/**
 * ExecSync: runs `cmd` in the container's namespaces with the container's environment. A
 * non-zero exit is a result, not an error; a timeout kills the command and is DeadlineExceeded.
 */
export async function execSync(
  ctx: RuntimeContext,
  id: string,
  cmd: readonly string[],
  timeoutSeconds: number,
): Promise<ExecSyncResult> {
  const record = requireId(ctx.containers, id, 'container');
  if (record.state !== 'running' || !isAlive(record.process)) {
    throw new CriError('FAILED_PRECONDITION', `container ${record.id} is not running`);
  }
  if (cmd.length === 0) throw new CriError('INVALID_ARGUMENT', 'exec needs a command');
  const env = Object.fromEntries(
    record.env.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]),
  );
  let outcome: RunOutcome;
  try {
    outcome = await run(execArgv(record, cmd), env, timeoutSeconds);
  } catch (error) {
    throw new CriError('INTERNAL', `cannot exec in container ${record.id}`, { cause: error });
  }
  if (outcome.timedOut) {
    const what = `command ${JSON.stringify(cmd)} in container ${record.id}`;
    throw new CriError('DEADLINE_EXCEEDED', `${what} timed out after ${timeoutSeconds}s`);
  }
  return { stdout: outcome.stdout, stderr: outcome.stderr, exit_code: outcome.exitCode };
}

// Kill what nsenter started but not nsenter itself: it reaps its child, as containerd's shim
// does for an exec. With nsenter gone first, the child would be left to the container's PID 1,
// which may never reap it (a zombie `sleep` that `pgrep` still finds).
function killCommand(nsenterPid: number): void {
  for (const pid of processGroupMembers(nsenterPid)) {
    if (pid === nsenterPid) continue;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {}
  }
  setTimeout(() => {
    try {
      process.kill(-nsenterPid, 'SIGKILL');
    } catch {}
  }, 2_000).unref();
}

function signalNumber(signal: NodeJS.Signals | null): number {
  return signal === null ? 0 : (constants.signals[signal] ?? 0);
}

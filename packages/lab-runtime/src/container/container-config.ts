import { constants } from 'node:os';
import type { ContainerConfig, KeyValue } from '../cri/cri-types.ts';
import type { ImageProcess } from '../image/image-process.ts';

const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

function envName(entry: string): string {
  const eq = entry.indexOf('=');
  return eq === -1 ? entry : entry.slice(0, eq);
}

function setEnv(env: string[], entry: string): void {
  const name = envName(entry);
  const at = env.findIndex((existing) => envName(existing) === name);
  if (at === -1) env.push(entry);
  else env[at] = entry;
}

function keyValueText(kv: KeyValue): string {
  return typeof kv.value === 'string' ? kv.value : Buffer.from(kv.value).toString('utf8');
}

/**
 * The container's environment as containerd builds it: HOSTNAME, a default PATH, the image's
 * env, then the container config's, each replacing an earlier value of the same name.
 */
export function containerEnv(
  hostname: string,
  image: ImageProcess,
  config: ContainerConfig,
): string[] {
  const env: string[] = [`HOSTNAME=${hostname}`, DEFAULT_PATH];
  for (const entry of image.env) setEnv(env, entry);
  for (const kv of config.envs) setEnv(env, `${kv.key}=${keyValueText(kv)}`);
  if (config.tty && !env.some((e) => envName(e) === 'TERM')) env.push('TERM=xterm');
  return env;
}

/**
 * The command line, with Docker's rules as containerd applies them: without a command, the
 * image's entrypoint, followed by the args or else the image's cmd; a command replaces both.
 */
export function containerArgv(image: ImageProcess, config: ContainerConfig): string[] {
  let command = config.command;
  let args = config.args;
  if (command.length === 0) {
    if (args.length === 0) args = image.cmd;
    command = image.entrypoint;
  }
  return [...command, ...args];
}

const SIGNALS = new Set([
  'SIGABRT',
  'SIGALRM',
  'SIGBUS',
  'SIGCHLD',
  'SIGCONT',
  'SIGFPE',
  'SIGHUP',
  'SIGILL',
  'SIGINT',
  'SIGIO',
  'SIGKILL',
  'SIGPIPE',
  'SIGPROF',
  'SIGPWR',
  'SIGQUIT',
  'SIGSEGV',
  'SIGSTKFLT',
  'SIGSTOP',
  'SIGSYS',
  'SIGTERM',
  'SIGTRAP',
  'SIGTSTP',
  'SIGTTIN',
  'SIGTTOU',
  'SIGURG',
  'SIGUSR1',
  'SIGUSR2',
  'SIGVTALRM',
  'SIGWINCH',
  'SIGXCPU',
  'SIGXFSZ',
]);

// An image's StopSignal may be a number (`"15"`), as Docker accepts.
function signalName(candidate: string): string {
  if (/^\d+$/.test(candidate)) {
    const found = Object.entries(constants.signals).find(([, n]) => n === Number(candidate));
    return found?.[0] ?? '';
  }
  return candidate.startsWith('SIG') ? candidate : `SIG${candidate}`;
}

/** The stop signal: the container config's (`SIGNAL_SIGINT`), the image's, else SIGTERM. */
export function stopSignalOf(image: ImageProcess, config: ContainerConfig): string {
  const fromConfig = config.stop_signal?.replace(/^SIGNAL_/, '') ?? '';
  for (const candidate of [fromConfig, image.stopSignal ?? '']) {
    const name = signalName(candidate.toUpperCase());
    if (SIGNALS.has(name)) return name;
  }
  return 'SIGTERM';
}

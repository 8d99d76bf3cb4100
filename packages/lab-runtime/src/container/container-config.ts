import type { ContainerConfig, KeyValue } from '../cri/cri-types.ts';
import type { ImageDefinition } from '../image/image-map.ts';

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
  image: ImageDefinition,
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
export function containerArgv(image: ImageDefinition, config: ContainerConfig): string[] {
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

/** The stop signal: the container config's (`SIGNAL_SIGINT`), the image's, else SIGTERM. */
export function stopSignalOf(image: ImageDefinition, config: ContainerConfig): string {
  const fromConfig = config.stop_signal?.replace(/^SIGNAL_/, '') ?? '';
  for (const candidate of [fromConfig, image.stopSignal ?? '']) {
    const name = candidate.startsWith('SIG') ? candidate : `SIG${candidate}`;
    if (SIGNALS.has(name)) return name;
  }
  return 'SIGTERM';
}

/** run_as_user / run_as_group of the security context, when set. */
export function containerUser(config: ContainerConfig): { uid: number; gid: number } | null {
  const context = config.linux?.security_context;
  const uid = context?.run_as_user;
  if (uid === null || uid === undefined) return null;
  const gid = context?.run_as_group;
  return { uid: Number(uid.value), gid: gid === null || gid === undefined ? 0 : Number(gid.value) };
}

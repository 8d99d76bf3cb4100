import { posix } from 'node:path';
import type { RootfsStep } from './container-rootfs.ts';

/** Single-quotes a word for /bin/sh. */
export function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * The shim, run by /bin/sh right after `unshare --pid --mount --uts`: its first child becomes
 * PID 1 of the new PID namespace, so it must fork nothing before (builtins only), and nothing
 * after, since a dead PID 1 leaves the namespace unable to fork. It holds both output FIFOs
 * open read-write, so the container never writes to a pipe without a reader while the runtime
 * restarts, and it records the container's exit status (128+N for signal N), which nobody but
 * a parent can learn.
 */
export const SHIM_SCRIPT = `d=$1
exec 3<>"$d/stdout" 4<>"$d/stderr"
echo $$ >"$d/shim.pid"
/bin/sh "$d/setup.sh" <"/dev/null" >"$d/stdout" 2>"$d/stderr" 3>&- 4>&- &
echo $! >"$d/pid"
wait $!
echo $? >"$d/exit"
`;

/**
 * What is mounted at the root first: a tmpfs (map images), or an overlay whose lower dirs are
 * the image's unpacked layers (top first, as overlayfs lists them) and whose upper and work
 * dirs are the container's own writable layer.
 */
export type RootMount =
  | { kind: 'tmpfs' }
  | { kind: 'overlay'; lower: readonly string[]; upper: string; work: string };

/**
 * mount(2) copies its option string into one page: overlayfs refuses longer ones (ENOMEM or
 * EINVAL). Loom's image needs ~550 bytes (3 layers); 4,096 holds ~30 layers of a store path as
 * long as the lab's.
 */
export const MOUNT_OPTIONS_MAX = 4095;

export interface SetupInput {
  containerId: string;
  /** The container's directory in the state dir (setup.log, the started marker). */
  dir: string;
  /** Where the container's root is mounted (in its own mount namespace only). */
  rootfs: string;
  root: RootMount;
  steps: readonly RootfsStep[];
  hostname: string;
  env: readonly string[];
  argv: readonly string[];
  workingDir: string;
  user: { uid: number; gid: number } | null;
  readonlyRootfs: boolean;
}

function target(path: string): string {
  return `"$R"${shellQuote(path)}`;
}

function parent(path: string): string {
  return `mkdir -p ${target(posix.dirname(path))}`;
}

function renderStep(step: RootfsStep): string[] {
  const to = target(step.path);
  switch (step.kind) {
    case 'dir':
      return [`[ -d ${to} ] || { mkdir -p ${to}; chmod ${step.mode} ${to}; }`];
    case 'symlink':
      return [parent(step.path), `ln -sfn ${shellQuote(step.target)} ${to}`];
    case 'tmpfs':
      return [`mkdir -p ${to}`, `mount -t tmpfs -o ${shellQuote(step.options)} tmpfs ${to}`];
    case 'proc':
      return [`mkdir -p ${to}`, `mount -t proc proc ${to}`];
    case 'sysfs':
      return [`mkdir -p ${to}`, `mount -t sysfs -o ${step.readonly ? 'ro' : 'rw'} sysfs ${to}`];
    case 'bind': {
      const create = step.file
        ? [parent(step.path), `[ -e ${to} ] || : >${to}`]
        : [`mkdir -p ${to}`];
      const bind = `mount --rbind ${shellQuote(step.source)} ${to}`;
      const readonly = step.readonly ? [`mount -o remount,bind,ro ${to}`] : [];
      return [...create, bind, ...readonly];
    }
  }
}

function execLine(input: SetupInput): string {
  const user =
    input.user === null ? [] : [`--setgid=${input.user.gid}`, `--setuid=${input.user.uid}`];
  const words = [
    '/usr/bin/env',
    '-i',
    // A background job of a non-interactive shell starts with SIGINT/SIGQUIT ignored.
    '--default-signal=INT,QUIT',
    '--',
    ...input.env,
    '/usr/bin/unshare',
    `--wd=${input.workingDir || '/'}`,
    ...user,
  ].map(shellQuote);
  return `exec ${words.join(' ')} --root="$R" -- ${input.argv.map(shellQuote).join(' ')}`;
}

function rootMountLine(root: RootMount): string {
  if (root.kind === 'tmpfs') return 'mount -t tmpfs -o mode=0755 loom-rootfs "$R"';
  const options = `lowerdir=${root.lower.join(':')},upperdir=${root.upper},workdir=${root.work}`;
  if (options.length > MOUNT_OPTIONS_MAX) {
    throw new Error(
      `the overlay options of ${root.lower.length} layers are ${options.length} bytes, over the kernel's ${MOUNT_OPTIONS_MAX} (one page): use an image with fewer layers or a shorter --image-store path`,
    );
  }
  return `mount -t overlay -o ${shellQuote(options)} loom-rootfs "$R"`;
}

/**
 * The container's setup, run as PID 1 of its PID namespace in its private mount and UTS
 * namespaces: build the root on a tmpfs, set the hostname, mark the start, then exec the
 * container's command (same PID) chrooted into that root with exactly the container's env.
 */
export function renderSetupScript(input: SetupInput): string {
  const lines = [
    `# Loom lab runtime: root and start of container ${input.containerId}.`,
    'set -eu',
    `exec 5>&2 2>>${shellQuote(`${input.dir}/setup.log`)}`,
    `R=${shellQuote(input.rootfs)}`,
    rootMountLine(input.root),
    ...input.steps.flatMap(renderStep),
    `printf '%s' ${shellQuote(input.hostname)} >/proc/sys/kernel/hostname`,
    // After the mount points exist: readonlyRootFilesystem makes the root itself read-only.
    ...(input.readonlyRootfs ? ['mount -o remount,ro "$R"'] : []),
    `: >${shellQuote(`${input.dir}/started`)}`,
    'exec 2>&5 5>&-',
    execLine(input),
  ];
  return `${lines.join('\n')}\n`;
}

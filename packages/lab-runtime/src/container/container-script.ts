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
 * the image's unpacked layers and whose upper and work dirs are the container's own writable
 * layer. The layers are named through `links`, a directory of symlinks `0` (the top layer,
 * overlayfs lists top first), `1`, …, and the mount is made from inside it (`lowerdir=0:1:2`).
 */
export type RootMount =
  | { kind: 'tmpfs' }
  | { kind: 'overlay'; links: string; layers: number; upper: string; work: string };

/**
 * The longest value of one overlayfs option. util-linux ≥ 2.39 mounts through the new mount API,
 * whose fsconfig() takes at most 255 bytes per value (fs/fsopen.c: `strndup_user(_value, 256)`,
 * util-linux#2287); older ones call mount(2), which takes one page (4,095 bytes) for all options.
 * Loom's three layers as absolute paths in the lab's store are ~300 bytes, over the first limit:
 * hence the short relative names, 2–3 bytes a layer (88 layers fit; overlayfs stacks 500 at most).
 */
export const MOUNT_OPTION_MAX = 255;

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

function rootMountLine(root: RootMount): string[] {
  if (root.kind === 'tmpfs') return ['mount -t tmpfs -o mode=0755 loom-rootfs "$R"'];
  const lowerdir = Array.from({ length: root.layers }, (_, i) => String(i)).join(':');
  for (const [name, value] of Object.entries({
    lowerdir,
    upperdir: root.upper,
    workdir: root.work,
  })) {
    if (value.length > MOUNT_OPTION_MAX) {
      throw new Error(
        `the overlay option ${name} is ${value.length} bytes, over the ${MOUNT_OPTION_MAX} the kernel takes (${root.layers} layers)`,
      );
    }
  }
  const options = `lowerdir=${lowerdir},upperdir=${root.upper},workdir=${root.work}`;
  return [
    `cd ${shellQuote(root.links)}`,
    `mount -t overlay -o ${shellQuote(options)} loom-rootfs "$R"`,
    'cd /',
  ];
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
    ...rootMountLine(input.root),
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

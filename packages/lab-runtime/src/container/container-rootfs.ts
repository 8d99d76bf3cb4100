import { posix } from 'node:path';
import type { ImageDefinition } from '../image/image-map.ts';
import { resolveInRoot } from './root-path.ts';

/** One step of building a container's root, in order; paths are inside the container. */
export type RootfsStep =
  /** Created with `mode` when missing; an existing directory is left as it is. */
  | { kind: 'dir'; path: string; mode: string }
  | { kind: 'symlink'; path: string; target: string }
  | { kind: 'bind'; path: string; source: string; file: boolean; readonly: boolean }
  | { kind: 'tmpfs'; path: string; options: string }
  | { kind: 'proc'; path: string }
  | { kind: 'sysfs'; path: string; readonly: boolean };

/** A kubelet mount with its source's type known (the caller stats it). */
export interface ContainerMount {
  containerPath: string;
  hostPath: string;
  readonly: boolean;
  file: boolean;
}

/**
 * What the root starts from: a map image's binds on a tmpfs (`dir`: its prepared files, busybox's
 * `bin/`, `etc/passwd`, `etc/group`), or an archive image's unpacked layers (top first) under an
 * overlay.
 */
export type RootImage =
  | { kind: 'map'; definition: ImageDefinition; dir: string }
  | { kind: 'archive'; lowerDirs: readonly string[] };

export interface RootfsInput {
  image: RootImage;
  /** The sandbox's /etc/hostname, /etc/resolv.conf, /etc/hosts on the host. */
  sandboxFiles: Record<'/etc/hostname' | '/etc/resolv.conf' | '/etc/hosts', string>;
  mounts: ContainerMount[];
  workingDir: string;
  /** Privileged containers get a writable /sys, as with runc. */
  privileged: boolean;
  /** Whether a host path is a file (bind a file) rather than a directory. */
  isFile(hostPath: string): boolean;
}

const STANDARD_DIRS: [string, string][] = [
  ['/proc', '0555'],
  ['/sys', '0555'],
  ['/etc', '0755'],
  ['/tmp', '1777'],
  ['/root', '0700'],
  ['/home', '0755'],
  ['/run', '0755'],
  ['/var/tmp', '1777'],
];

const DEVICES = ['null', 'zero', 'full', 'random', 'urandom', 'tty'];
const DEV_LINKS: [string, string][] = [
  ['/dev/fd', '/proc/self/fd'],
  ['/dev/stdin', '/proc/self/fd/0'],
  ['/dev/stdout', '/proc/self/fd/1'],
  ['/dev/stderr', '/proc/self/fd/2'],
];

function imageSteps(
  definition: ImageDefinition,
  imageDir: string,
  isFile: RootfsInput['isFile'],
): RootfsStep[] {
  const steps: RootfsStep[] = Object.entries(definition.symlinks).map(([path, target]) => ({
    kind: 'symlink',
    path,
    target,
  }));
  for (const bind of definition.binds) {
    const file = isFile(bind.source);
    steps.push({ kind: 'bind', path: bind.path, source: bind.source, file, readonly: true });
  }
  if (definition.busybox !== undefined) {
    steps.push({
      kind: 'bind',
      path: '/bin',
      source: `${imageDir}/bin`,
      file: false,
      readonly: true,
    });
  }
  for (const name of ['passwd', 'group']) {
    const path = `/etc/${name}`;
    steps.push({
      kind: 'bind',
      path,
      source: `${imageDir}/etc/${name}`,
      file: true,
      readonly: true,
    });
  }
  return steps;
}

function devSteps(): RootfsStep[] {
  const steps: RootfsStep[] = [{ kind: 'tmpfs', path: '/dev', options: 'mode=0755,nosuid' }];
  for (const device of DEVICES) {
    steps.push({
      kind: 'bind',
      path: `/dev/${device}`,
      source: `/dev/${device}`,
      file: true,
      readonly: false,
    });
  }
  for (const [path, target] of DEV_LINKS) steps.push({ kind: 'symlink', path, target });
  steps.push({ kind: 'tmpfs', path: '/dev/shm', options: 'mode=1777,nosuid,nodev,size=65536k' });
  return steps;
}

function depth(path: string): number {
  return posix.normalize(path).split('/').filter(Boolean).length;
}

function kubeletSteps(input: RootfsInput): RootfsStep[] {
  const { sandboxFiles, mounts } = input;
  const steps: RootfsStep[] = [...devSteps()];
  steps.push(
    { kind: 'proc', path: '/proc' },
    { kind: 'sysfs', path: '/sys', readonly: !input.privileged },
  );
  const mounted = new Set(mounts.map((m) => posix.normalize(m.containerPath)));
  for (const [path, source] of Object.entries(sandboxFiles)) {
    if (!mounted.has(path)) steps.push({ kind: 'bind', path, source, file: true, readonly: false });
  }
  const ordered = [...mounts].sort((a, b) => depth(a.containerPath) - depth(b.containerPath));
  for (const mount of ordered) {
    steps.push({
      kind: 'bind',
      path: posix.normalize(mount.containerPath),
      source: mount.hostPath,
      file: mount.file,
      readonly: mount.readonly,
    });
  }
  steps.push({ kind: 'dir', path: posix.normalize(input.workingDir || '/'), mode: '0755' });
  return steps;
}

/**
 * The container's root: for a map image, a fresh tmpfs with the image's files and the standard
 * directories; for an archive image, the overlay of its layers as it is. Then /dev, /proc, /sys,
 * the sandbox's hostname/resolv.conf/hosts (unless the kubelet mounts its own, as containerd
 * does), the kubelet's mounts, parents before children, and the working directory. In an
 * archive image's root every mount point is first resolved through the image's own symlinks,
 * inside the root (/var/run → /run), as runc does.
 */
export function planRootfs(input: RootfsInput): RootfsStep[] {
  const { image } = input;
  if (image.kind === 'archive') {
    return kubeletSteps(input).map((step) =>
      step.kind === 'symlink' ? step : { ...step, path: resolveInRoot(image.lowerDirs, step.path) },
    );
  }
  const steps = imageSteps(image.definition, image.dir, input.isFile);
  for (const [path, mode] of STANDARD_DIRS) steps.push({ kind: 'dir', path, mode });
  return [...steps, ...kubeletSteps(input)];
}

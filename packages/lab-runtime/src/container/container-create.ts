import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { nowNsString } from '../cri/clock.ts';
import { CriError } from '../cri/cri-error.ts';
import type { ContainerConfig, Mount, PodSandboxConfig } from '../cri/cri-types.ts';
import type { ResolvedImage } from '../image/image-store.ts';
import type { RuntimeContext } from '../runtime-context.ts';
import { podHostname, sandboxFiles } from '../sandbox/sandbox-files.ts';
import { requireId } from '../store/id-lookup.ts';
import type { ContainerRecord, SandboxRecord } from '../store/records.ts';
import { containerArgv, containerEnv, stopSignalOf } from './container-config.ts';
import { CONTAINER_FILES, prepareContainerDir } from './container-process.ts';
import type { ContainerMount } from './container-rootfs.ts';
import { planRootfs } from './container-rootfs.ts';
import type { RootMount } from './container-script.ts';
import { renderSetupScript } from './container-script.ts';
import type { ContainerUser } from './container-user.ts';
import { resolveUser, securityContextUser } from './container-user.ts';
import { lookupExecutable } from './executable-lookup.ts';
import { hostPathInRoot } from './root-path.ts';

export interface CreateContainerRequest {
  pod_sandbox_id: string;
  config: ContainerConfig | null;
  sandbox_config: PodSandboxConfig | null;
}

// containerd creates a missing host path of a bind mount as a directory.
function toContainerMount(mount: Mount): ContainerMount {
  let stats = statSync(mount.host_path, { throwIfNoEntry: false });
  if (stats === undefined) {
    mkdirSync(mount.host_path, { recursive: true });
    stats = statSync(mount.host_path);
  }
  return {
    containerPath: mount.container_path,
    hostPath: mount.host_path,
    readonly: mount.readonly,
    file: !stats.isDirectory(),
  };
}

function isFile(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isDirectory() === false;
}

function reservedName(config: ContainerConfig, sandbox: SandboxRecord): string {
  const pod = sandbox.config.metadata!;
  const meta = config.metadata!;
  return `${meta.name}_${pod.name}_${pod.namespace}_${pod.uid}_${meta.attempt}`;
}

function resolveImage(ctx: RuntimeContext, config: ContainerConfig): ResolvedImage {
  const name = config.image?.image ?? '';
  const image = ctx.images.find(name);
  if (image === undefined)
    throw new CriError('NOT_FOUND', `failed to resolve image "${name}": not found`);
  return image;
}

function digestRef(image: ResolvedImage): string {
  if (image.repoDigests[0] !== undefined) return image.repoDigests[0];
  const digest = image.kind === 'archive' ? image.archive.manifestDigest : image.record.id;
  const repository = image.kind === 'map' ? image.definition.repositories[0] : undefined;
  return repository === undefined ? image.record.id : `${repository}@${digest}`;
}

/** An image's /etc/passwd or /etc/group, read through its own symlinks ('' when absent). */
function imageFile(image: ResolvedImage, path: string): string {
  const file =
    image.kind === 'archive' ? hostPathInRoot(image.lowerDirs, path) : join(image.dir, path);
  if (file === undefined) return '';
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function userOf(image: ResolvedImage, config: ContainerConfig): ContainerUser | null {
  return resolveUser({
    imageUser: image.process.user ?? '',
    ...securityContextUser(config),
    passwd: imageFile(image, '/etc/passwd'),
    group: imageFile(image, '/etc/group'),
  });
}

function newRecord(
  ctx: RuntimeContext,
  sandbox: SandboxRecord,
  config: ContainerConfig,
): ContainerRecord {
  const image = resolveImage(ctx, config);
  const argv = containerArgv(image.process, config);
  if (argv.length === 0) throw new CriError('INVALID_ARGUMENT', 'no command specified');
  const logDir = sandbox.config.log_directory;
  const record: ContainerRecord = {
    id: randomBytes(32).toString('hex'),
    sandboxId: sandbox.id,
    name: reservedName(config, sandbox),
    config,
    imageId: image.record.id,
    imageName: image.record.tags[0] ?? image.record.id,
    imageRef: digestRef(image),
    state: 'created',
    createdAt: nowNsString(),
    startedAt: '0',
    finishedAt: '0',
    exitCode: 0,
    reason: '',
    message: '',
    process: null,
    shim: null,
    stopSignalSent: false,
    logPath: logDir !== '' && config.log_path !== '' ? join(logDir, config.log_path) : '',
    argv,
    env: containerEnv(podHostname(sandbox.config), image.process, config),
    workingDir: config.working_dir || image.process.workingDir || '/',
    stopSignal: stopSignalOf(image.process, config),
    startProblem: '',
    user: userOf(image, config),
  };
  if (image.kind === 'archive') record.layers = image.archive.layers.map((layer) => layer.diffId);
  return record;
}

// The overlay's upper and work dirs live in the container's directory: removing the container
// removes its writable layer, and the image's layers are never written. Its `lower/` links to
// the layers (short names for the mount) and is what the store's lease for it points at.
function rootMount(
  ctx: RuntimeContext,
  image: ResolvedImage,
  dir: string,
  containerId: string,
): RootMount {
  if (image.kind === 'map') return { kind: 'tmpfs' };
  const upper = join(dir, CONTAINER_FILES.upper);
  const work = join(dir, CONTAINER_FILES.work);
  const links = join(dir, CONTAINER_FILES.lower);
  mkdirSync(upper, { recursive: true });
  mkdirSync(work, { recursive: true });
  mkdirSync(links, { recursive: true });
  for (const [i, layer] of image.lowerDirs.entries()) {
    rmSync(join(links, String(i)), { force: true });
    symlinkSync(layer, join(links, String(i)));
  }
  ctx.images.snapshots.lease(containerId, links);
  ctx.images.snapshots.touch(image.archive.layers.map((layer) => layer.diffId));
  return { kind: 'overlay', links, layers: image.lowerDirs.length, upper, work };
}

function writeContainerFiles(
  ctx: RuntimeContext,
  record: ContainerRecord,
  sandbox: SandboxRecord,
): void {
  const image = resolveImage(ctx, record.config);
  const dir = ctx.store.containerDir(record.id);
  const steps = planRootfs({
    image,
    sandboxFiles: sandboxFiles(ctx.store.sandboxDir(sandbox.id)),
    mounts: record.config.mounts.map(toContainerMount),
    workingDir: record.workingDir,
    privileged: record.config.linux?.security_context?.privileged === true,
    isFile,
  });
  const lower = image.kind === 'archive' ? image.lowerDirs : undefined;
  const found = lookupExecutable(steps, record.argv[0]!, record.env, lower);
  if (!found.ok) record.startProblem = found.message;
  mkdirSync(join(dir, CONTAINER_FILES.rootfs), { recursive: true });
  const script = renderSetupScript({
    containerId: record.id,
    dir,
    rootfs: join(dir, CONTAINER_FILES.rootfs),
    root: rootMount(ctx, image, dir, record.id),
    steps,
    hostname: podHostname(sandbox.config),
    env: record.env,
    argv: record.argv,
    workingDir: record.workingDir,
    user: record.user ?? null,
    readonlyRootfs: record.config.linux?.security_context?.readonly_rootfs === true,
  });
  prepareContainerDir(dir, script);
}

/** CreateContainer: reserve the name, resolve the image, write the root plan and the shim. */
export async function createContainer(
  ctx: RuntimeContext,
  request: CreateContainerRequest,
): Promise<string> {
  const sandbox = requireId(ctx.sandboxes, request.pod_sandbox_id, 'sandbox');
  const config = request.config;
  if (config?.metadata == null || config.metadata.name === '') {
    throw new CriError('INVALID_ARGUMENT', 'container config must include metadata with a name');
  }
  if (sandbox.state !== 'ready') {
    throw new CriError('FAILED_PRECONDITION', `sandbox ${sandbox.id} is not ready`);
  }
  const record = newRecord(ctx, sandbox, config);
  const holder = [...ctx.containers.values()].find((c) => c.name === record.name);
  if (holder !== undefined) {
    throw new CriError(
      'ALREADY_EXISTS',
      `failed to reserve container name "${record.name}": name is reserved for "${holder.id}"`,
    );
  }
  ctx.containers.set(record.id, record);
  try {
    ctx.store.saveContainer(record);
    writeContainerFiles(ctx, record, sandbox);
    ctx.store.saveContainer(record);
  } catch (error) {
    ctx.containers.delete(record.id);
    ctx.store.deleteContainer(record.id);
    ctx.images.snapshots.release(record.id);
    throw new CriError(
      'INTERNAL',
      `failed to create container ${config.metadata.name} in sandbox ${sandbox.id}`,
      { cause: error },
    );
  }
  ctx.logger.info(
    { container: record.id, sandbox: sandbox.id, argv: record.argv },
    'container created',
  );
  return record.id;
}

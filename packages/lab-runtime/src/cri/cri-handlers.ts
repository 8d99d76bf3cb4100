import { createContainer } from '../container/container-create.ts';
import { execSync } from '../container/container-exec-sync.ts';
import { startContainer } from '../container/container-start.ts';
import {
  containerStatus,
  filterContainers,
  reopenContainerLog,
  toCriContainer,
} from '../container/container-status.ts';
import { removeContainer, stopContainer } from '../container/container-stop.ts';
import { imageStatus, listImages, pullImage, removeImage } from '../image/image-service.ts';
import type { RuntimeContext } from '../runtime-context.ts';
import { runPodSandbox } from '../sandbox/sandbox-run.ts';
import { filterSandboxes, podSandboxStatus, toCriSandbox } from '../sandbox/sandbox-status.ts';
import { removePodSandbox, stopPodSandbox } from '../sandbox/sandbox-stop.ts';
import { requireId } from '../store/id-lookup.ts';
import { CriError } from './cri-error.ts';
import { runtimeConfig, runtimeStatus, runtimeVersion } from './runtime-info.ts';
import {
  containerStats,
  imageFsInfo,
  listContainerStats,
  listPodSandboxStats,
  podSandboxStats,
} from './runtime-stats.ts';

// biome-ignore lint/suspicious/noExplicitAny: requests are decoded by proto-loader; cri-types.ts has their shapes.
export type CriRequest = any;
export type UnaryHandler = (request: CriRequest) => unknown;

/** For RPCs whose response is empty: wait for the work, answer `{}`. */
async function done(work: unknown): Promise<object> {
  await work;
  return {};
}

function streamingUnsupported(what: string): UnaryHandler {
  return () => {
    throw new CriError(
      'UNIMPLEMENTED',
      `${what} is not supported by the Loom lab runtime (no streaming server); use ExecSync (crictl exec -s)`,
    );
  };
}

/** RuntimeService: one entry per RPC; anything not listed answers UNIMPLEMENTED. */
export function runtimeHandlers(ctx: RuntimeContext): Record<string, UnaryHandler> {
  return {
    Version: () => runtimeVersion(),
    Status: (r) => runtimeStatus(ctx, r.verbose),
    RuntimeConfig: () => runtimeConfig(),
    UpdateRuntimeConfig: (r) => {
      ctx.podCidr = r.runtime_config?.network_config?.pod_cidr ?? '';
      ctx.logger.info({ podCidr: ctx.podCidr }, 'runtime config updated');
      return {};
    },
    RunPodSandbox: async (r) => ({
      pod_sandbox_id: await runPodSandbox(ctx, r.config, r.runtime_handler),
    }),
    StopPodSandbox: (r) => done(stopPodSandbox(ctx, r.pod_sandbox_id)),
    RemovePodSandbox: (r) => done(removePodSandbox(ctx, r.pod_sandbox_id)),
    PodSandboxStatus: (r) => podSandboxStatus(ctx, r.pod_sandbox_id, r.verbose),
    ListPodSandbox: (r) => ({ items: filterSandboxes(ctx, r.filter).map(toCriSandbox) }),
    CreateContainer: async (r) => ({ container_id: await createContainer(ctx, r) }),
    StartContainer: (r) => done(startContainer(ctx, r.container_id)),
    StopContainer: (r) => done(stopContainer(ctx, r.container_id, Number(r.timeout))),
    RemoveContainer: (r) => done(removeContainer(ctx, r.container_id)),
    ListContainers: (r) => ({ containers: filterContainers(ctx, r.filter).map(toCriContainer) }),
    ContainerStatus: (r) => containerStatus(ctx, r.container_id, r.verbose),
    // No cgroups, so nothing to resize; accepted as containerd accepts it.
    UpdateContainerResources: (r) => done(requireId(ctx.containers, r.container_id, 'container')),
    UpdatePodSandboxResources: () => ({}),
    ReopenContainerLog: (r) => done(reopenContainerLog(ctx, r.container_id)),
    ExecSync: (r) => execSync(ctx, r.container_id, r.cmd, Number(r.timeout)),
    Exec: streamingUnsupported('Exec'),
    Attach: streamingUnsupported('Attach'),
    PortForward: streamingUnsupported('PortForward'),
    ContainerStats: (r) => ({
      stats: containerStats(ctx, requireId(ctx.containers, r.container_id, 'container')),
    }),
    ListContainerStats: (r) => ({ stats: listContainerStats(ctx, r.filter) }),
    PodSandboxStats: async (r) => ({
      stats: await podSandboxStats(ctx, requireId(ctx.sandboxes, r.pod_sandbox_id, 'sandbox')),
    }),
    ListPodSandboxStats: async (r) => ({ stats: await listPodSandboxStats(ctx, r.filter) }),
  };
}

/** The server-streaming list RPCs: the whole list in one message. */
export function runtimeStreams(ctx: RuntimeContext): Record<string, UnaryHandler> {
  return {
    StreamPodSandboxes: (r) => ({
      pod_sandboxes: filterSandboxes(ctx, r.filter).map(toCriSandbox),
    }),
    StreamContainers: (r) => ({ containers: filterContainers(ctx, r.filter).map(toCriContainer) }),
    StreamContainerStats: (r) => ({ container_stats: listContainerStats(ctx, r.filter) }),
    StreamPodSandboxStats: async (r) => ({
      pod_sandbox_stats: await listPodSandboxStats(ctx, r.filter),
    }),
  };
}

export function imageHandlers(ctx: RuntimeContext): Record<string, UnaryHandler> {
  return {
    ListImages: (r) => ({ images: listImages(ctx, r.filter) }),
    ImageStatus: (r) => imageStatus(ctx, r.image, r.verbose),
    PullImage: (r) => pullImage(ctx, r.image),
    RemoveImage: (r) => done(removeImage(ctx, r.image)),
    ImageFsInfo: () => imageFsInfo(ctx),
  };
}

export function imageStreams(ctx: RuntimeContext): Record<string, UnaryHandler> {
  return { StreamImages: (r) => ({ images: listImages(ctx, r.filter) }) };
}

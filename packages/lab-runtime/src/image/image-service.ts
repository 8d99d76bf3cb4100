import { CriError } from '../cri/cri-error.ts';
import type { ImageSpec } from '../cri/cri-types.ts';
import type { RuntimeContext } from '../runtime-context.ts';
import type { ResolvedImage } from './image-store.ts';

/** The CRI `Image`: id, tags, a digest per repository, size > 0 (the kubelet checks all). */
export function toCriImage(ctx: RuntimeContext, image: ResolvedImage) {
  return {
    id: image.record.id,
    repo_tags: image.record.tags,
    repo_digests: image.repoDigests,
    size: String(ctx.images.sizeOf(image)),
    uid: null,
    username: '',
    spec: { image: image.record.id, annotations: {} },
    pinned: false,
  };
}

function imageInfo(image: ResolvedImage) {
  const { process } = image;
  const source =
    image.kind === 'map'
      ? {
          definition: image.definition.name,
          binds: image.definition.binds,
          busybox: image.definition.busybox,
        }
      : {
          archive: image.archive.path,
          manifestDigest: image.archive.manifestDigest,
          chainId: image.archive.chainId,
          layers: image.archive.layers,
          lowerDirs: image.lowerDirs,
        };
  return {
    info: JSON.stringify({
      ...source,
      entrypoint: process.entrypoint,
      cmd: process.cmd,
      env: process.env,
      workingDir: process.workingDir,
      user: process.user ?? '',
      stopSignal: process.stopSignal ?? '',
    }),
  };
}

export function listImages(ctx: RuntimeContext, filter: { image: ImageSpec | null } | null) {
  const wanted = filter?.image?.image ?? '';
  const images =
    wanted === '' ? ctx.images.list() : [ctx.images.find(wanted)].filter((i) => i !== undefined);
  return images.map((image) => toCriImage(ctx, image));
}

/** ImageStatus: an image that was not pulled is an empty answer, not an error. */
export function imageStatus(ctx: RuntimeContext, spec: ImageSpec | null, verbose: boolean) {
  const image = ctx.images.find(spec?.image ?? '');
  if (image === undefined) return { image: null, info: {} };
  return { image: toCriImage(ctx, image), info: verbose ? imageInfo(image) : {} };
}

/** PullImage: a name of an image archive (read again, unpacked if needed) or of the image map. */
export async function pullImage(
  ctx: RuntimeContext,
  spec: ImageSpec | null,
): Promise<{ image_ref: string }> {
  const name = spec?.image ?? '';
  if (name === '') throw new CriError('INVALID_ARGUMENT', 'PullImage needs an image name');
  const image = await ctx.images.pull(name);
  const source = image.kind === 'map' ? image.definition.name : image.archive.path;
  ctx.logger.info({ image: name, id: image.record.id, source }, 'image pulled');
  return { image_ref: image.record.id };
}

/**
 * A layer is removed once neither an image nor a container uses it: a running container's
 * overlay keeps its lower trees, as containerd's snapshot leases do. Layers shared with another
 * image stay (in a shared store, every layer stays: other runtimes' containers may use it).
 */
export function releaseLayers(ctx: RuntimeContext, diffIds: readonly string[]): void {
  const used = new Set<string>();
  for (const image of ctx.images.list()) {
    if (image.kind === 'archive') for (const layer of image.archive.layers) used.add(layer.diffId);
  }
  for (const container of ctx.containers.values()) {
    for (const diffId of container.layers ?? []) used.add(diffId);
  }
  for (const diffId of diffIds) {
    if (used.has(diffId)) continue;
    if (ctx.images.snapshots.remove(diffId)) ctx.logger.info({ diffId }, 'layer removed');
  }
}

export function removeImage(ctx: RuntimeContext, spec: ImageSpec | null): void {
  const removed = ctx.images.remove(spec?.image ?? '');
  if (removed?.archive !== undefined) {
    releaseLayers(
      ctx,
      removed.archive.layers.map((layer) => layer.diffId),
    );
  }
}

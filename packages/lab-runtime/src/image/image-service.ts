import { CriError } from '../cri/cri-error.ts';
import type { ImageSpec } from '../cri/cri-types.ts';
import type { RuntimeContext } from '../runtime-context.ts';
import type { ResolvedImage } from './image-store.ts';

/** The CRI `Image`: id, tags, a digest per repository, size > 0 (the kubelet checks all). */
export function toCriImage(ctx: RuntimeContext, image: ResolvedImage) {
  const repositories = [...new Set(image.record.tags.map((tag) => tag.replace(/[:@].*$/, '')))];
  return {
    id: image.record.id,
    repo_tags: image.record.tags,
    repo_digests: repositories.map((repository) => `${repository}@${image.record.id}`),
    size: String(ctx.images.sizeOf(image)),
    uid: null,
    username: '',
    spec: { image: image.record.id, annotations: {} },
    pinned: false,
  };
}

function imageInfo(image: ResolvedImage) {
  const { definition } = image;
  return {
    info: JSON.stringify({
      definition: definition.name,
      entrypoint: definition.entrypoint,
      cmd: definition.cmd,
      env: definition.env,
      workingDir: definition.workingDir,
      binds: definition.binds,
      busybox: definition.busybox,
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

/** PullImage: the image must be in the map; its files are prepared under the state dir. */
export function pullImage(ctx: RuntimeContext, spec: ImageSpec | null): { image_ref: string } {
  const name = spec?.image ?? '';
  if (name === '') throw new CriError('INVALID_ARGUMENT', 'PullImage needs an image name');
  const image = ctx.images.pull(name);
  ctx.logger.info(
    { image: name, id: image.record.id, definition: image.definition.name },
    'image pulled',
  );
  return { image_ref: image.record.id };
}

export function removeImage(ctx: RuntimeContext, spec: ImageSpec | null): void {
  ctx.images.remove(spec?.image ?? '');
}

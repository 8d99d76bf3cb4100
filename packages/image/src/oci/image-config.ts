// The image configuration (image-spec config.md): platform, the container defaults a runtime
// applies (Env, Cmd, WorkingDir…), and the layers' diff_ids with one history entry each.
import type { Digest } from './digest.ts';

/** The `config` member: what a runtime applies to a container of this image. */
export interface ContainerDefaults {
  Env?: string[];
  Entrypoint?: string[];
  Cmd?: string[];
  WorkingDir?: string;
  User?: string;
  Labels?: Record<string, string>;
}

export interface HistoryEntry {
  created?: string;
  created_by?: string;
  comment?: string;
  empty_layer?: boolean;
}

export interface ImageConfig {
  created: string;
  architecture: string;
  os: 'linux';
  config: ContainerDefaults;
  rootfs: { type: 'layers'; diff_ids: Digest[] };
  history: HistoryEntry[];
}

export interface ImageConfigInput {
  /** Seconds since the epoch (SOURCE_DATE_EPOCH): `created` of the image and every layer. */
  created: number;
  architecture: string;
  defaults: ContainerDefaults;
  /** One per layer, in order: its diff_id and what made it. */
  layers: ReadonlyArray<{ diffId: Digest; createdBy: string; comment?: string }>;
}

export function buildImageConfig(input: ImageConfigInput): ImageConfig {
  const created = rfc3339(input.created);
  return {
    created,
    architecture: input.architecture,
    os: 'linux',
    config: input.defaults,
    rootfs: { type: 'layers', diff_ids: input.layers.map((layer) => layer.diffId) },
    history: input.layers.map((layer) => ({
      created,
      created_by: layer.createdBy,
      ...(layer.comment ? { comment: layer.comment } : {}),
    })),
  };
}

/** RFC 3339 in UTC, whole seconds (what `docker inspect` shows for reproducible images). */
export function rfc3339(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
}

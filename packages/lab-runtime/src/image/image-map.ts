import { createHash } from 'node:crypto';
import { cachedArtifactPath } from '../lab-binaries.ts';

/** A host file or directory that appears, read-only, at `path` inside the container. */
export interface ImageBind {
  path: string;
  source: string;
}

/**
 * What an image name stands for in the lab: no layers are pulled; the container's root is a
 * tmpfs holding these bind mounts and symlinks, so the image's files are where the real image
 * has them, and the image config (entrypoint, cmd, env, working dir) is applied as containerd does.
 */
export interface ImageDefinition {
  /** Short label for messages: `agnhost`, `busybox`. */
  name: string;
  /** Normalized repositories (any tag or digest matches): `registry.k8s.io/e2e-test-images/agnhost`. */
  repositories: string[];
  binds: ImageBind[];
  /** Symlinks created in the root: path → target (`/bin` → `usr/bin`). */
  symlinks: Record<string, string>;
  /** A busybox binary whose applets fill `/bin`, as in the busybox image. */
  busybox?: string;
  entrypoint: string[];
  cmd: string[];
  env: string[];
  workingDir: string;
  stopSignal?: string;
}

export interface ImageMap {
  definitions: ImageDefinition[];
  /** Where the map came from, for error messages: a file path or "the built-in image map". */
  source: string;
}

export interface DefaultImagePaths {
  agnhost: string;
  busybox: string;
}

/** The agnhost the lab builds, beside its other binaries. */
export function defaultAgnhostPath(env: NodeJS.ProcessEnv = process.env): string {
  return cachedArtifactPath('agnhost', env);
}
export const DEFAULT_BUSYBOX = '/usr/bin/busybox';
const IMAGE_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Kubernetes' test images: agnhost (Alpine + /agnhost in the real image) and busybox. */
export function defaultImageMap(paths: DefaultImagePaths): ImageMap {
  const agnhost: ImageDefinition = {
    name: 'agnhost',
    repositories: [
      'registry.k8s.io/e2e-test-images/agnhost',
      'k8s.gcr.io/e2e-test-images/agnhost',
      'gcr.io/k8s-staging-e2e-test-images/agnhost',
    ],
    // The real image is Alpine with curl, dig, nc and a shell; the host's /usr stands in for them.
    binds: [
      { path: '/agnhost', source: paths.agnhost },
      { path: '/usr', source: '/usr' },
    ],
    symlinks: { '/bin': 'usr/bin', '/sbin': 'usr/sbin', '/lib': 'usr/lib', '/lib64': 'usr/lib64' },
    entrypoint: ['/agnhost'],
    cmd: ['pause'],
    env: [IMAGE_PATH],
    workingDir: '/',
  };
  const busybox: ImageDefinition = {
    name: 'busybox',
    repositories: [
      'docker.io/library/busybox',
      'registry.k8s.io/e2e-test-images/busybox',
      'registry.k8s.io/busybox',
      'k8s.gcr.io/busybox',
      'gcr.io/google-containers/busybox',
    ],
    binds: [],
    symlinks: {},
    busybox: paths.busybox,
    entrypoint: [],
    cmd: ['sh'],
    env: [IMAGE_PATH],
    workingDir: '/',
  };
  return { definitions: [agnhost, busybox], source: 'the built-in image map' };
}

/** `sha256:…` of the definition: a changed definition is a different image. */
export function imageIdOf(definition: ImageDefinition): string {
  const digest = createHash('sha256').update(JSON.stringify(definition)).digest('hex');
  return `sha256:${digest}`;
}

export function findImageDefinition(
  map: ImageMap,
  repository: string,
): ImageDefinition | undefined {
  return map.definitions.find((definition) => definition.repositories.includes(repository));
}

/** `agnhost (registry.k8s.io/e2e-test-images/agnhost, …), busybox (…)` for error messages. */
export function describeImageMap(map: ImageMap): string {
  const entries = map.definitions.map((d) => `${d.name} (${d.repositories.join(', ')})`);
  return `${map.source}: ${entries.join('; ')}`;
}

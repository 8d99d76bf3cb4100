import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

// Where `loom lab build` keeps the upstream binaries. The runtime's defaults come from there
// (the CRI API it serves, agnhost for the agnhost image), and the lab's build writes there:
// both import this module, the lower of the two packages.

/**
 * The Kubernetes release the lab runs: its kubelet speaks the CRI API of k8s.io/cri-api at the
 * same minor version, which is the api.proto this runtime serves. Bumping it means a new cache
 * directory.
 */
export const KUBERNETES_VERSION = 'v1.37.2';

/** The CRI API module whose api.proto the runtime serves (the kubelet's own version). */
export const CRI_API_MODULE = 'k8s.io/cri-api';
export const CRI_API_PROTO_IN_MODULE = 'pkg/apis/runtime/v1/api.proto';
/** The CRI API's api.proto, copied beside the binaries by the build. */
export const CRI_API_PROTO_FILE = 'cri-api.proto';

/** `~/.cache/loom` unless LOOM_CACHE_DIR (or XDG_CACHE_HOME) says otherwise. */
export function loomCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.LOOM_CACHE_DIR ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'loom');
}

/** `<loom cache>/k8s`: one directory per Kubernetes and Go version. */
export function k8sCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(loomCacheDir(env), 'k8s');
}

/**
 * Where `artifact` is, for the default of a flag (so synchronous, and never building):
 * in LOOM_K8S_BIN_DIR when set, else in a cache directory of the lab's Kubernetes version that
 * holds it, else where the cache would put it.
 */
export function cachedArtifactPath(artifact: string, env: NodeJS.ProcessEnv = process.env): string {
  if (env.LOOM_K8S_BIN_DIR) return join(env.LOOM_K8S_BIN_DIR, artifact);
  const cacheDir = k8sCacheDir(env);
  let entries: string[] = [];
  try {
    entries = readdirSync(cacheDir).filter((name) => name.startsWith(`${KUBERNETES_VERSION}-`));
  } catch {}
  const found = entries
    .map((entry) => join(cacheDir, entry, 'bin', artifact))
    .find((path) => existsSync(path));
  return found ?? join(cacheDir, `${KUBERNETES_VERSION}-<go version>`, 'bin', artifact);
}

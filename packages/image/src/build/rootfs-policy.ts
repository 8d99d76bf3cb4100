// Which root filesystem a build takes: the mirror's newest (asks the mirror for its Release
// date: a new Release runs mmdebstrap), or the newest this machine has cached (asks nothing).
// `npm run image` asks by default, so a release picks up Debian's updates; the lab's
// ensureImage takes the cache, so `loom lab up` never waits on, or fails without, the mirror.
import { aptMirror, releaseDate } from './apt-mirror.ts';
import { newestCachedRootfs, ROOTFS_SUITE, type RootfsLayer, rootfsLayer } from './rootfs.ts';

/**
 * `latest`: ask the mirror for its state, build when it is new. `cached`: the newest cached
 * root filesystem of this recipe; ask the mirror only when there is none. `offline`: the newest
 * cached one, never ask (an error when there is none).
 */
export type RootfsPolicy = 'latest' | 'cached' | 'offline';

export const ROOTFS_POLICIES: readonly RootfsPolicy[] = ['latest', 'cached', 'offline'];

export interface RootfsChoice {
  policy: RootfsPolicy;
  architecture: string;
  /** Default: the Debian mirror of this machine's apt sources. */
  mirror?: string;
  cacheDir?: string;
  onProgress?: (line: string) => void;
}

export async function chooseRootfs(choice: RootfsChoice): Promise<RootfsLayer> {
  const suite = ROOTFS_SUITE;
  const mirror = choice.mirror ?? aptMirror(suite);
  const base = {
    suite,
    mirror,
    architecture: choice.architecture,
    ...(choice.onProgress ? { onProgress: choice.onProgress } : {}),
    ...(choice.cacheDir ? { cacheDir: choice.cacheDir } : {}),
  };
  const cached = choice.policy === 'latest' ? undefined : newestCachedRootfs(base);
  if (cached !== undefined) return rootfsLayer({ ...base, releaseDate: cached });
  if (choice.policy === 'offline')
    throw new Error(
      `offline: no cached ${suite} root filesystem for ${choice.architecture}; build once with network`,
    );
  let date: number;
  try {
    date = await releaseDate(mirror, suite);
  } catch (error) {
    const hint =
      choice.policy === 'latest' && newestCachedRootfs(base) !== undefined
        ? ' (a cached root filesystem exists: --offline builds with it without asking the mirror)'
        : '';
    throw new Error(`${(error as Error).message}${hint}`, { cause: error });
  }
  return rootfsLayer({ ...base, releaseDate: date });
}

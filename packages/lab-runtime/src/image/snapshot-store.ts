import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import type { LayerSource } from './layer-apply.ts';
import { unpackLayer } from './layer-apply.ts';

/**
 * Unpacked layers, as containerd's overlayfs snapshotter keeps them: `<dir>/<diff_id hex>/fs/`,
 * one directory per layer holding that layer alone (whiteouts in overlayfs's form), shared by
 * every image that has the layer, wherever it sits in their stacks; a container's root is an
 * overlay of its image's layers. Keyed by diff_id rather than chain id (containerd's key): a
 * layer unpacked on its own does not depend on the layers below it, so one directory serves
 * every stack that holds it (Loom's rebuilt image shares its Debian and Node layers with the
 * last one). A layer is unpacked in a `.tmp-<diff>-<pid>-…` directory and renamed into place when
 * complete, so its name existing means it is whole; a crash leaves only a `.tmp-…` whose process
 * is gone, which the next start removes. The mtime of `<dir>/<hex>` is the layer's last use
 * (touched at every import and container creation), and `<dir>/leases/` names the containers
 * standing on layers: `loom lab up` prunes the layers unused for long and leased by none.
 * Several runtimes may share one directory (`--image-store`, the lab's nodes): each layer is
 * then unpacked by whichever comes first, and none is ever removed by a runtime, since another
 * one's containers may stand on it.
 */
export interface SnapshotStore {
  readonly dir: string;
  /** The unpacked tree of a layer: `<dir>/<hex>/fs`. */
  pathOf(diffId: string): string;
  has(diffId: string): boolean;
  /**
   * The trees of `layers` (bottom first, as in the manifest), unpacking those not there;
   * `unpacked`: the diff_ids unpacked by this call. Every layer's last use is now.
   */
  ensure(layers: readonly LayerSource[]): Promise<{ paths: string[]; unpacked: string[] }>;
  /** Marks the layers used now (their mtime), so pruning keeps them. */
  touch(diffIds: readonly string[]): void;
  /**
   * Records that a container's root stands on layers: `<dir>/leases/<container id>`, a symlink
   * to the container's directory of links to its layers (`lower/0` → `<dir>/<hex>/fs`, …).
   * Pruning keeps every layer a lease whose target still exists points at.
   */
  lease(containerId: string, lowerLinks: string): void;
  /** Ends a container's lease (RemoveContainer). */
  release(containerId: string): void;
  /** Deletes the layer; false (and nothing deleted) in a shared store. */
  remove(diffId: string): boolean;
  /** Diff ids of the layers on disk. */
  list(): string[];
}

const hexOf = (diffId: string) => diffId.replace(/^sha256:/, '');

/** A layer's own tree inside its directory (the directory's mtime is its last use). */
export const LAYER_TREE = 'fs';
/** `<store>/leases/<container id>` → the container's `lower/` (see `SnapshotStore.lease`). */
export const LEASES_DIR = 'leases';
/**
 * Beside the tree: its opaque directories, as a JSON list of paths. The kernel reads the
 * `trusted.overlay.opaque` xattr; Node cannot, and the runtime looks paths up in the layers
 * before mounting them (mount points through the image's symlinks, /etc/passwd, the command).
 */
const OPAQUE_LIST = 'opaque.json';

const opaqueCache = new Map<string, ReadonlySet<string>>();

/** The opaque directories (paths inside the layer, '' for its root) of an unpacked layer's tree. */
export function opaqueDirsOf(tree: string): ReadonlySet<string> {
  let dirs = opaqueCache.get(tree);
  if (dirs === undefined) {
    let list: string[] = [];
    try {
      list = JSON.parse(readFileSync(join(dirname(tree), OPAQUE_LIST), 'utf8')) as string[];
    } catch {
      // No list: the layer has no opaque directory.
    }
    // Layers never change once unpacked (a removed and re-made one has the same content).
    dirs = new Set(list);
    opaqueCache.set(tree, dirs);
  }
  return dirs;
}

export interface SnapshotStoreOptions {
  /** Where the layers are: `<state>/images/layers` unless shared. */
  dir: string;
  /** Shared with other runtimes: layers are added, never removed. */
  shared: boolean;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// `.tmp-<diff 12>-<pid>-<random>`: only a build whose process is gone is abandoned.
function removeAbandoned(dir: string): void {
  for (const name of readdirSync(dir)) {
    const pid = /^\.tmp-[0-9a-f]+-(\d+)-/.exec(name)?.[1];
    if (name.startsWith('.tmp-') && (pid === undefined || !isAlive(Number(pid)))) {
      rmSync(join(dir, name), { recursive: true, force: true });
    }
  }
}

/**
 * Before per-layer snapshots, each image was one flattened tree in `<state>/images/snapshots/`.
 * They are removed once no container stands on one (a container of that version re-adopted
 * after an upgrade keeps them until it is removed; the next start after that deletes them).
 */
export function removeFlattenedTrees(stateDir: string, inUse: boolean): boolean {
  const legacy = join(stateDir, 'images', 'snapshots');
  if (inUse || !existsSync(legacy)) return false;
  rmSync(legacy, { recursive: true, force: true });
  return true;
}

export function defaultSnapshotDir(stateDir: string): string {
  return join(stateDir, 'images', 'layers');
}

// overlayfs splits its options at `,` and lowerdir at `:` (escaping is not worth the surprise).
function checkDir(dir: string): void {
  if (/[,:\s]/.test(dir)) {
    throw new Error(
      `image store "${dir}" cannot be used: overlayfs options cannot hold a path with ",", ":" or spaces`,
    );
  }
}

export function createSnapshotStore(options: SnapshotStoreOptions): SnapshotStore {
  const { dir, shared } = options;
  checkDir(dir);
  mkdirSync(dir, { recursive: true });
  removeAbandoned(dir);
  const layerDir = (diffId: string) => join(dir, hexOf(diffId));
  const pathOf = (diffId: string) => join(layerDir(diffId), LAYER_TREE);
  const building = new Map<string, Promise<boolean>>();

  const build = async (layer: LayerSource): Promise<boolean> => {
    const hex = hexOf(layer.diffId);
    const random = randomBytes(4).toString('hex');
    const temp = join(dir, `.tmp-${hex.slice(0, 12)}-${process.pid}-${random}`);
    mkdirSync(join(temp, LAYER_TREE), { recursive: true, mode: 0o755 });
    try {
      const { opaque } = await unpackLayer(join(temp, LAYER_TREE), layer);
      if (opaque.length > 0) writeFileSync(join(temp, OPAQUE_LIST), `${JSON.stringify(opaque)}\n`);
      renameSync(temp, layerDir(layer.diffId));
    } catch (error) {
      rmSync(temp, { recursive: true, force: true });
      // Another runtime of a shared store finished the same layer first: it is whole.
      if (existsSync(layerDir(layer.diffId)) && isRenameCollision(error)) return false;
      throw error;
    }
    return true;
  };

  // Two pulls of images sharing a layer at once unpack it once.
  const ensureLayer = (layer: LayerSource): Promise<boolean> => {
    if (existsSync(layerDir(layer.diffId))) return Promise.resolve(false);
    const pending = building.get(layer.diffId);
    // Unpacked by the call that started it; the others only waited.
    if (pending !== undefined) return pending.then(() => false);
    const started = build(layer).finally(() => building.delete(layer.diffId));
    building.set(layer.diffId, started);
    return started;
  };

  const touch = (diffIds: readonly string[]) => {
    const now = new Date();
    for (const diffId of diffIds) {
      try {
        utimesSync(layerDir(diffId), now, now);
      } catch {
        // Gone (pruned meanwhile): the next ensure unpacks it again.
      }
    }
  };

  const ensure = async (layers: readonly LayerSource[]) => {
    // All at once: each layer's gunzip + sha256 is one core's work (Loom's image cold: 0.8–1.5 s
    // here on 2 cores, 1.2–2.7 s one after the other).
    // Settled before failing: no unpack is left running behind a refused image (the others'
    // layers are whole and stay).
    const results = await Promise.allSettled(layers.map(ensureLayer));
    const unpacked: string[] = [];
    for (const [i, result] of results.entries()) {
      if (result.status === 'rejected') throw result.reason;
      if (result.value) unpacked.push(layers[i]!.diffId);
    }
    const diffIds = layers.map((l) => l.diffId);
    touch(diffIds);
    return { paths: diffIds.map(pathOf), unpacked };
  };

  return {
    dir,
    pathOf,
    has: (diffId) => existsSync(layerDir(diffId)),
    ensure,
    touch,
    lease: (containerId, lowerLinks) => {
      mkdirSync(join(dir, LEASES_DIR), { recursive: true });
      const link = join(dir, LEASES_DIR, containerId);
      const temp = `${link}.tmp-${process.pid}`;
      rmSync(temp, { force: true });
      symlinkSync(lowerLinks, temp);
      renameSync(temp, link);
    },
    release: (containerId) => rmSync(join(dir, LEASES_DIR, containerId), { force: true }),
    remove: (diffId) => {
      if (shared) return false;
      // Out of its name first: a crash half-way through leaves a `.tmp-…`, never a partial layer.
      const doomed = join(dir, `.tmp-${hexOf(diffId).slice(0, 12)}-${process.pid}-rm`);
      try {
        renameSync(layerDir(diffId), doomed);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return true;
        throw error;
      }
      rmSync(doomed, { recursive: true, force: true });
      return true;
    },
    list: () =>
      readdirSync(dir)
        .filter((name) => /^[0-9a-f]{64}$/.test(name))
        .map((hex) => `sha256:${hex}`),
  };
}

function isRenameCollision(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOTEMPTY' || code === 'EEXIST';
}

import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  IMAGE_STORE_MAX_AGE_MS,
  leasedLayers,
  pruneImageStore,
} from '../../src/build/image-store-prune.ts';

const root = mkdtempSync(join(tmpdir(), 'loom-prune-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const DAY = 24 * 3600 * 1000;
const NOW = Date.parse('2026-12-02T12:00:00Z');
const hex = (c: string) => c.repeat(64);

let stores = 0;
/** A store whose layers were last used `ageDays` ago each. */
function store(layers: Record<string, number>): string {
  const dir = join(root, `store-${stores++}`);
  for (const [name, ageDays] of Object.entries(layers)) {
    mkdirSync(join(dir, name, 'fs/etc'), { recursive: true });
    writeFileSync(join(dir, name, 'fs/etc/os-release'), 'ID=debian\n');
    const used = new Date(NOW - ageDays * DAY);
    utimesSync(join(dir, name), used, used);
  }
  return dir;
}

const nothingMounted = () => new Set<string>();

describe('pruneImageStore', () => {
  it('removes the layers unused for 7 days and keeps the others', () => {
    const dir = store({ [hex('a')]: 8, [hex('b')]: 6, [hex('c')]: 0 });
    const result = pruneImageStore({ dir, now: NOW, inUse: nothingMounted });
    expect(result).toEqual({ removed: [`sha256:${hex('a')}`], kept: 2 });
    expect(readdirSync(dir).sort()).toEqual([hex('b'), hex('c')]);
  });

  it('never removes a layer in use, however old', () => {
    const dir = store({ [hex('a')]: 30, [hex('b')]: 30 });
    const result = pruneImageStore({ dir, now: NOW, inUse: () => new Set([hex('b')]) });
    expect(result.removed).toEqual([`sha256:${hex('a')}`]);
    expect(readdirSync(dir)).toEqual([hex('b')]);
  });

  it("leaves what is not a layer: a runtime's unpack in progress, other files", () => {
    const dir = store({ [hex('a')]: 30 });
    mkdirSync(join(dir, `.tmp-${hex('d').slice(0, 12)}-123-1a2b/fs`), { recursive: true });
    writeFileSync(join(dir, 'README'), 'mine\n');
    const old = new Date(NOW - 30 * DAY);
    utimesSync(join(dir, 'README'), old, old);
    pruneImageStore({ dir, now: NOW, inUse: nothingMounted });
    expect(readdirSync(dir).sort()).toEqual([`.tmp-${hex('d').slice(0, 12)}-123-1a2b`, 'README']);
  });

  it('takes another max age, and does nothing for a store not made yet', () => {
    const dir = store({ [hex('a')]: 2, [hex('b')]: 0.5 });
    const result = pruneImageStore({ dir, now: NOW, maxAgeMs: DAY, inUse: nothingMounted });
    expect(result.removed).toEqual([`sha256:${hex('a')}`]);
    expect(pruneImageStore({ dir: join(root, 'absent'), now: NOW })).toEqual({
      removed: [],
      kept: 0,
    });
    expect(existsSync(join(root, 'absent'))).toBe(false);
  });

  it('asks for the mounts only when something is old enough to go', () => {
    const dir = store({ [hex('a')]: 1 });
    let asked = 0;
    pruneImageStore({
      dir,
      now: NOW,
      inUse: () => {
        asked++;
        return new Set();
      },
    });
    expect(asked).toBe(0);
    expect(IMAGE_STORE_MAX_AGE_MS).toBe(7 * DAY);
  });

  it('finds the leased layers on its own (none in a store without leases)', () => {
    const dir = store({ [hex('a')]: 30 });
    expect(pruneImageStore({ dir, now: NOW }).removed).toEqual([`sha256:${hex('a')}`]);
  });

  it.each([0, -1, Number.NaN])('refuses a max age of %s', (maxAgeMs) => {
    expect(() => pruneImageStore({ dir: root, maxAgeMs })).toThrow(
      /cannot prune image store ".*": max age .* ms is not > 0/,
    );
  });
});

describe('leasedLayers (the containers standing on layers, as the runtimes record them)', () => {
  /** A container of a runtime's state dir on `layers` (top first), leased in the store. */
  function container(dir: string, id: string, layers: string[]): string {
    const lower = join(root, `state-${id}`, 'containers', id, 'lower');
    mkdirSync(lower, { recursive: true });
    for (const [i, layer] of layers.entries())
      symlinkSync(join(dir, layer, 'fs'), join(lower, String(i)));
    mkdirSync(join(dir, 'leases'), { recursive: true });
    symlinkSync(lower, join(dir, 'leases', id));
    return lower;
  }

  it("keeps the layers of a live container's lease, however old", () => {
    const dir = store({ [hex('a')]: 30, [hex('b')]: 30, [hex('c')]: 30 });
    container(dir, 'c1', [hex('b'), hex('c')]);
    expect([...leasedLayers(dir)].sort()).toEqual([hex('b'), hex('c')]);
    expect(pruneImageStore({ dir, now: NOW }).removed).toEqual([`sha256:${hex('a')}`]);
    expect(readdirSync(dir).sort()).toEqual([hex('b'), hex('c'), 'leases']);
  });

  it('drops the lease of a container whose directory is gone (its lab was taken down)', () => {
    const dir = store({ [hex('a')]: 30 });
    const lower = container(dir, 'c2', [hex('a')]);
    rmSync(join(lower, '..', '..', '..'), { recursive: true });
    expect(pruneImageStore({ dir, now: NOW }).removed).toEqual([`sha256:${hex('a')}`]);
    expect(readdirSync(join(dir, 'leases'))).toEqual([]);
  });

  it('ignores links that lead outside the store', () => {
    const dir = store({ [hex('a')]: 30 });
    container(dir, 'c3', []);
    symlinkSync(`/elsewhere/${hex('a')}/fs`, join(root, 'state-c3/containers/c3/lower/0'));
    expect(leasedLayers(dir)).toEqual(new Set());
  });
});

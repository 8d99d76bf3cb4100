import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  IMAGE_STORE_MAX_AGE_MS,
  layersInMountinfo,
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

  it('never removes a layer a mounted overlay uses, however old', () => {
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

  it('finds the mounted layers on its own (none of a fresh store is mounted)', () => {
    const dir = store({ [hex('a')]: 30 });
    expect(pruneImageStore({ dir, now: NOW }).removed).toEqual([`sha256:${hex('a')}`]);
  });

  it.each([0, -1, Number.NaN])('refuses a max age of %s', (maxAgeMs) => {
    expect(() => pruneImageStore({ dir: root, maxAgeMs })).toThrow(
      /cannot prune image store ".*": max age .* ms is not > 0/,
    );
  });
});

describe('layersInMountinfo', () => {
  const dir = '/root/.cache/loom/lab-images';
  const line = (fstype: string, options: string) =>
    `1234 1200 0:99 / /var/lib/loom/containers/c1/rootfs rw,relatime - ${fstype} loom-rootfs ${options}`;

  it("reads the overlays' lower dirs that are layers of the store", () => {
    const mountinfo = [
      '22 1 252:0 / / rw,relatime shared:1 - ext4 /dev/vda rw',
      line(
        'overlay',
        `rw,lowerdir=${dir}/${hex('c')}/fs:${dir}/${hex('b')}/fs:/elsewhere/${hex('a')}/fs,upperdir=/s/c1/upper,workdir=/s/c1/work`,
      ),
      line('tmpfs', `rw,lowerdir=${dir}/${hex('d')}/fs`),
    ].join('\n');
    expect([...layersInMountinfo(mountinfo, `${dir}/`)].sort()).toEqual([hex('b'), hex('c')]);
  });

  it('decodes the octal escapes of mountinfo', () => {
    const escaped = '/tmp/my\\040store';
    const mountinfo = line(
      'overlay',
      `rw,lowerdir=${escaped}/${hex('e')}/fs,upperdir=/u,workdir=/w`,
    );
    expect([...layersInMountinfo(mountinfo, '/tmp/my store')]).toEqual([hex('e')]);
  });
});

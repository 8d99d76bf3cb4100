import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  aptMirror,
  DEFAULT_MIRROR,
  mirrorInSources,
  parseReleaseDate,
} from '../../src/build/apt-mirror.ts';
import {
  imageCacheDir,
  newestCachedRootfs,
  rootfsCacheKey,
  rootfsLayer,
} from '../../src/build/rootfs.ts';

let dir = '';
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'loom-image-rootfs-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const request = {
  suite: 'bookworm',
  mirror: 'http://deb.example.org/debian',
  architecture: 'amd64',
  releaseDate: 1_760_000_000,
};

/** A cache entry as a finished build leaves it. */
function cacheEntry(releaseDate: number, content = 'layer'): string {
  const entry = join(dir, rootfsCacheKey({ ...request, releaseDate }));
  mkdirSync(entry, { recursive: true });
  const file = join(entry, 'rootfs.tar.gz');
  writeFileSync(file, content);
  const layer = {
    file,
    digest: `sha256:${'a'.repeat(64)}`,
    diffId: `sha256:${'b'.repeat(64)}`,
    size: content.length,
    uncompressedSize: 10,
  };
  writeFileSync(join(entry, 'layer.json'), JSON.stringify(layer));
  return file;
}

describe('the root filesystem cache', () => {
  it('lives in $LOOM_CACHE_DIR/image, else ~/.cache/loom/image', () => {
    expect(imageCacheDir({ LOOM_CACHE_DIR: '/var/cache/loom' })).toBe('/var/cache/loom/image');
    expect(imageCacheDir({ HOME: '/home/u', XDG_CACHE_HOME: '/xdg' })).toBe('/xdg/loom/image');
  });

  it('is keyed by suite, architecture and the mirror state, not by which mirror served it', () => {
    const key = rootfsCacheKey(request);
    expect(key).toMatch(/^rootfs-bookworm-amd64-1760000000-[0-9a-f]{12}$/);
    expect(rootfsCacheKey({ ...request, releaseDate: 1_760_000_001 })).not.toBe(key);
    expect(rootfsCacheKey({ ...request, architecture: 'arm64' })).not.toBe(key);
  });

  it('gives the cached layer without running mmdebstrap (PATH holds none)', async () => {
    const file = cacheEntry(request.releaseDate);
    const saved = process.env.PATH;
    process.env.PATH = dir;
    try {
      const layer = await rootfsLayer({ ...request, cacheDir: dir });
      expect(layer).toMatchObject({ file, built: false, size: 5 });
      expect(layer.createdBy).toMatch(
        /^mmdebstrap --variant=essential .* bookworm <output>\.tar http:\/\/deb\.example\.org\/debian$/,
      );
    } finally {
      process.env.PATH = saved;
    }
  });

  it('says how to get mmdebstrap when it must build and cannot', async () => {
    const saved = process.env.PATH;
    process.env.PATH = dir;
    try {
      await expect(rootfsLayer({ ...request, cacheDir: dir })).rejects.toThrow(
        'cannot build the image root filesystem: mmdebstrap is not on PATH (install the Debian package mmdebstrap',
      );
    } finally {
      process.env.PATH = saved;
    }
  });

  it('rebuilds a blob cut short instead of shipping it', async () => {
    const file = cacheEntry(request.releaseDate);
    writeFileSync(file, 'lay');
    const saved = process.env.PATH;
    process.env.PATH = dir;
    try {
      await expect(rootfsLayer({ ...request, cacheDir: dir })).rejects.toThrow(
        'mmdebstrap is not on PATH',
      );
    } finally {
      process.env.PATH = saved;
    }
  });

  it('finds the newest cached state for an offline build', () => {
    expect(newestCachedRootfs({ ...request, cacheDir: dir })).toBeUndefined();
    cacheEntry(1_750_000_000);
    cacheEntry(1_760_000_000);
    expect(newestCachedRootfs({ ...request, cacheDir: dir })).toBe(1_760_000_000);
  });
});

describe("the Debian mirror from this machine's apt sources", () => {
  it('reads deb822 stanzas, skipping other suites, other archives and comments', () => {
    const sources = [
      'Types: deb',
      '# http://snapshot.debian.org/archive/debian/20250520T000000Z',
      'URIs: http://deb.debian.org/debian',
      'Suites: bookworm bookworm-updates',
      'Components: main',
      '',
      'Types: deb',
      'URIs: https://deb.nodesource.com/node_20.x',
      'Suites: nodistro',
    ].join('\n');
    expect(mirrorInSources(sources, 'bookworm')).toBe('http://deb.debian.org/debian');
    expect(mirrorInSources(sources, 'trixie')).toBeUndefined();
  });

  it('reads one-line sources.list entries, options included', () => {
    const sources =
      '# deb http://old.example.org/debian bookworm main\ndeb [arch=amd64] http://mirror.example.org/debian/ bookworm main\n';
    expect(mirrorInSources(sources, 'bookworm')).toBe('http://mirror.example.org/debian');
  });

  it('falls back to deb.debian.org when apt names none', () => {
    mkdirSync(join(dir, 'sources.list.d'));
    writeFileSync(
      join(dir, 'sources.list.d', 'x.list'),
      'deb https://packages.example.org/apt stable main\n',
    );
    expect(aptMirror('bookworm', dir)).toBe(DEFAULT_MIRROR);
  });

  it("takes the Release file's Date as the mirror state", () => {
    expect(
      parseReleaseDate('Origin: Debian\nDate: Sat, 10 May 2025 08:44:39 UTC\n', 'InRelease'),
    ).toBe(1_746_866_679);
    expect(() => parseReleaseDate('Origin: Debian\n', 'http://x/InRelease')).toThrow(
      'http://x/InRelease has no valid Date: field',
    );
  });
});

describe("CI's Debian packages", () => {
  it('hold mmdebstrap, which npm run image needs', () => {
    const list = readFileSync(
      join(import.meta.dirname, '../../../../.ci/debian-packages.txt'),
      'utf8',
    );
    const packages = list.split('\n').map((line) => line.replace(/#.*/, '').trim());
    expect(packages).toContain('mmdebstrap');
  });
});

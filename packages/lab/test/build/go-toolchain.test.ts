import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ensureGoToolchain,
  goIsRecentEnough,
  goPlatform,
  goProxyUrl,
  parseGoVersion,
  toolchainZipUrl,
} from '../../src/build/go-toolchain.ts';
import { GO_TOOLCHAIN, type GoToolchainPin } from '../../src/build/versions.ts';
import { isLabError } from '../../src/errors.ts';

describe('Go versions', () => {
  it.each([
    ['go1.26.8', [1, 26, 8]],
    ['go1.26', [1, 26, 0]],
    ['go1.19.8', [1, 19, 8]],
    ['go1.27rc1', [1, 27, 0]],
    ['devel go1.27-abc', undefined],
  ] as const)('parses %s', (text, parsed) => {
    expect(parseGoVersion(text)).toEqual(parsed);
  });

  it.each([
    ['go1.26.8', true],
    ['go1.26.0', true],
    ['go1.27.1', true],
    ['go2.0.0', true],
    ['go1.25.9', false],
    ['go1.19.8', false],
    ['devel', false],
  ] as const)('%s is recent enough: %s', (version, expected) => {
    expect(goIsRecentEnough(version, 'go1.26')).toBe(expected);
  });
});

describe('where the toolchain comes from', () => {
  it.each([
    [undefined, 'https://proxy.golang.org'],
    ['https://mirror.example/go/,direct', 'https://mirror.example/go'],
    ['off', 'https://proxy.golang.org'],
    ['direct|http://127.0.0.1:3000', 'http://127.0.0.1:3000'],
  ])('GOPROXY=%s → %s', (goproxy, url) => {
    expect(goProxyUrl(goproxy === undefined ? {} : { GOPROXY: goproxy })).toBe(url);
  });

  it('names the module zip the Go project publishes', () => {
    expect(toolchainZipUrl('https://p', GO_TOOLCHAIN, 'linux-amd64')).toBe(
      `https://p/golang.org/toolchain/@v/v0.0.1-${GO_TOOLCHAIN.version}.linux-amd64.zip`,
    );
  });

  it('pins every platform it maps, and refuses others by name', () => {
    expect(goPlatform('linux', 'x64')).toBe('linux-amd64');
    expect(goPlatform('linux', 'arm64')).toBe('linux-arm64');
    expect(() => goPlatform('linux', 'riscv64')).toThrow(
      /cannot fetch Go go1\.26\.8 for linux\/riscv64: Loom pins it only for linux-amd64, linux-arm64/,
    );
  });
});

/** A zip of stored (uncompressed) entries: what `unzip` needs to see, no more. */
function storedZip(entries: { name: string; data: string; mode: number }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name);
    const data = Buffer.from(entry.data);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4); // made by Unix: the high bytes hold the mode
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(((0o100000 | entry.mode) << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, data);
    centrals.push(central, name);
    offset += local.length + name.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

describe('fetching the pinned toolchain from a module proxy', () => {
  const platform = goPlatform();
  const version = 'go1.99.1';
  // A stand-in `go`: answers `go env GOVERSION` as the real one does.
  const zip = storedZip([
    {
      name: `golang.org/toolchain@v0.0.1-${version}.${platform}/bin/go`,
      data: `#!/bin/sh\n[ "$1 $2" = "env GOVERSION" ] && echo ${version}\n`,
      mode: 0o755,
    },
    {
      name: `golang.org/toolchain@v0.0.1-${version}.${platform}/VERSION`,
      data: `${version}\n`,
      mode: 0o644,
    },
  ]);
  const pin: GoToolchainPin = {
    version,
    sha256: { [platform]: createHash('sha256').update(zip).digest('hex') },
  };
  let server: Server;
  let proxy: string;
  let scratch: string;
  const requests: string[] = [];

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'loom-go-test-'));
    server = createServer((request, response) => {
      requests.push(request.url ?? '');
      if (request.url === `/golang.org/toolchain/@v/v0.0.1-${version}.${platform}.zip`) {
        response.end(zip);
      } else {
        response.statusCode = 404;
        response.end('not found');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    proxy = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('fetches, checks, unpacks and runs it once; then takes it from the cache', async () => {
    const cacheRoot = mkdtempSync(join(scratch, 'cache-'));
    const env = { ...process.env, GOPROXY: `${proxy},direct` };
    const progress: string[] = [];
    const fetched = await ensureGoToolchain(cacheRoot, {
      env,
      pin,
      onProgress: (line) => progress.push(line),
    });
    const command = join(cacheRoot, 'go', `${version}.${platform}`, 'bin', 'go');
    expect(fetched).toEqual({ command, version, source: 'fetched' });
    expect(progress[0]).toContain(`fetching Go ${version} (${platform}) from the Go module proxy`);
    const again = await ensureGoToolchain(cacheRoot, { env, pin });
    expect(again).toEqual({ command, version, source: 'cache' });
    expect(requests).toHaveLength(1);
  });

  it('refuses a zip whose SHA-256 is not the pinned one, and keeps nothing', async () => {
    const cacheRoot = mkdtempSync(join(scratch, 'cache-'));
    const wrong = { ...pin, sha256: { [platform]: '0'.repeat(64) } };
    const error = await ensureGoToolchain(cacheRoot, { env: { GOPROXY: proxy }, pin: wrong }).catch(
      (e: unknown) => e,
    );
    expect(isLabError(error, 'LOOM_LAB_BUILD_FAILED')).toBe(true);
    expect((error as Error).message).toMatch(/its SHA-256 is [0-9a-f]{64}, Loom pins 0{64}/);
    const retry = await ensureGoToolchain(cacheRoot, { env: { GOPROXY: proxy }, pin });
    expect(retry.source).toBe('fetched');
  });

  it('names the URL and the status when the proxy lacks the version', async () => {
    const cacheRoot = mkdtempSync(join(scratch, 'cache-'));
    const missing = { version: 'go1.98.0', sha256: pin.sha256 };
    await expect(
      ensureGoToolchain(cacheRoot, { env: { GOPROXY: proxy }, pin: missing }),
    ).rejects.toThrow(
      `cannot fetch ${proxy}/golang.org/toolchain/@v/v0.0.1-go1.98.0.${platform}.zip: HTTP 404`,
    );
  });
});

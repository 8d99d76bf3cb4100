import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { LabError } from '../errors.ts';
import { formatDuration } from './format-duration.ts';
import { GO_MINIMUM, GO_TOOLCHAIN, type GoToolchainPin } from './versions.ts';

/** The `go` command a build runs: the machine's, or a pinned toolchain in Loom's cache. */
export interface GoCommand {
  /** What to execute: `go` (found on PATH) or the absolute path of a cached toolchain's `go`. */
  command: string;
  /** `go1.26.8`, from `go env GOVERSION`: part of the binary cache's key. */
  version: string;
  source: 'path' | 'cache' | 'fetched';
}

/**
 * Every `go` Loom runs gets GOTOOLCHAIN=local: the version that keys the cache must be the
 * one that compiled, not one Go switched to because a go.mod asked for a newer one.
 */
export const GO_ENV = { GOTOOLCHAIN: 'local' } as const;

/** `go1.26.8` → [1, 26, 8]; undefined for what is not a release (`devel …`). */
export function parseGoVersion(version: string): [number, number, number] | undefined {
  const match = /^go(\d+)\.(\d+)(?:\.(\d+))?/.exec(version.trim());
  if (!match) return undefined;
  return [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)];
}

/** True when `version` (`go1.26.8`) is at least `minimum` (`go1.26`). */
export function goIsRecentEnough(version: string, minimum: string = GO_MINIMUM): boolean {
  const have = parseGoVersion(version);
  const need = parseGoVersion(minimum);
  if (!have || !need) return false;
  for (let i = 0; i < 3; i++) {
    if (have[i] !== need[i]) return have[i]! > need[i]!;
  }
  return true;
}

/** `go env GOVERSION` of `command`, or undefined when it cannot run. */
export async function goVersionOf(
  command: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string | undefined> {
  try {
    const { stdout } = await promisify(execFile)(command, ['env', 'GOVERSION'], {
      timeout: 30_000,
      env: { ...env, ...GO_ENV },
    });
    return stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}

/** The machine's `go` when it is recent enough; otherwise why not, for the progress line. */
export async function goOnPath(
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ go: GoCommand } | { why: string }> {
  const version = await goVersionOf('go', env);
  if (version === undefined) return { why: 'go is not on PATH' };
  if (!goIsRecentEnough(version))
    return { why: `go on PATH is ${version}, older than ${GO_MINIMUM}` };
  return { go: { command: 'go', version, source: 'path' } };
}

/** `linux-amd64` for this machine; an error for a platform with no pinned toolchain. */
export function goPlatform(
  platform: string = process.platform,
  arch: string = process.arch,
): string {
  const goArch = ({ x64: 'amd64', arm64: 'arm64' } as Record<string, string>)[arch];
  const key = `${platform}-${goArch ?? arch}`;
  if (!goArch || !(key in GO_TOOLCHAIN.sha256)) {
    throw new LabError(
      'LOOM_LAB_MISSING_TOOL',
      `cannot fetch Go ${GO_TOOLCHAIN.version} for ${platform}/${arch}: Loom pins it only for ${Object.keys(GO_TOOLCHAIN.sha256).join(', ')}; install Go ≥ ${GO_MINIMUM.slice(2)} and put it on PATH`,
    );
  }
  return key;
}

/**
 * The module proxy to fetch the toolchain from: the first URL of GOPROXY (Go's own syntax,
 * `,` or `|` separated; `direct` and `off` are not proxies), else Go's default.
 */
export function goProxyUrl(env: NodeJS.ProcessEnv = process.env): string {
  const entries = (env.GOPROXY ?? '').split(/[,|]/).map((entry) => entry.trim());
  const url = entries.find((entry) => /^https?:\/\//.test(entry));
  return (url ?? 'https://proxy.golang.org').replace(/\/+$/, '');
}

/** `<proxy>/golang.org/toolchain/@v/v0.0.1-go1.26.8.linux-amd64.zip` */
export function toolchainZipUrl(proxy: string, pin: GoToolchainPin, platform: string): string {
  return `${proxy}/golang.org/toolchain/@v/${toolchainModuleVersion(pin, platform)}.zip`;
}

function toolchainModuleVersion(pin: GoToolchainPin, platform: string): string {
  return `v0.0.1-${pin.version}.${platform}`;
}

/**
 * The pinned Go toolchain in `<cacheRoot>/go/`, fetched first if it is not there. The Go
 * project publishes each release on the module proxy as the module golang.org/toolchain
 * (what `GOTOOLCHAIN=go1.26.8` downloads); Loom fetches that zip, checks it against the
 * SHA-256 pinned in versions.ts (the checksum database is not reachable from every machine
 * that reaches the proxy), and unpacks it with `unzip`.
 */
export async function ensureGoToolchain(
  cacheRoot: string,
  options: {
    env?: NodeJS.ProcessEnv;
    onProgress?: (line: string) => void;
    pin?: GoToolchainPin;
  } = {},
): Promise<GoCommand> {
  const env = options.env ?? process.env;
  const pin = options.pin ?? GO_TOOLCHAIN;
  const progress = options.onProgress ?? (() => {});
  const platform = goPlatform();
  const dir = join(cacheRoot, 'go', `${pin.version}.${platform}`);
  const command = join(dir, 'bin', 'go');
  const cached = await goVersionOf(command, env);
  if (cached !== undefined) return { command, version: cached, source: 'cache' };

  const started = Date.now();
  const url = toolchainZipUrl(goProxyUrl(env), pin, platform);
  progress(`fetching Go ${pin.version} (${platform}) from the Go module proxy into ${dir}…`);
  await mkdir(join(cacheRoot, 'go'), { recursive: true });
  const scratch = await mkdtemp(join(cacheRoot, 'go', '.fetch-'));
  try {
    const zip = join(scratch, 'toolchain.zip');
    const digest = await download(url, zip);
    const expected = pin.sha256[platform];
    if (digest !== expected) {
      throw new LabError(
        'LOOM_LAB_BUILD_FAILED',
        `cannot use ${url}: its SHA-256 is ${digest}, Loom pins ${expected}`,
      );
    }
    await unzip(zip, scratch);
    const unpacked = join(scratch, `golang.org/toolchain@${toolchainModuleVersion(pin, platform)}`);
    await stat(join(unpacked, 'bin', 'go'));
    await rm(dir, { recursive: true, force: true });
    await rename(unpacked, dir);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  const version = await goVersionOf(command, env);
  if (version === undefined) {
    throw new LabError(
      'LOOM_LAB_BUILD_FAILED',
      `the fetched Go toolchain does not run: ${command}`,
    );
  }
  progress(`fetched Go ${version} in ${formatDuration(Date.now() - started)}`);
  return { command, version, source: 'fetched' };
}

/** Streams `url` into `file`; resolves with the hex SHA-256 of what was written. */
async function download(url: string, file: string): Promise<string> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new LabError(
      'LOOM_LAB_BUILD_FAILED',
      `cannot fetch ${url}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  if (!response.ok || !response.body) {
    throw new LabError('LOOM_LAB_BUILD_FAILED', `cannot fetch ${url}: HTTP ${response.status}`);
  }
  const hash = createHash('sha256');
  const body = Readable.fromWeb(response.body as import('node:stream/web').ReadableStream);
  body.on('data', (chunk: Buffer) => hash.update(chunk));
  await pipeline(body, createWriteStream(file));
  return hash.digest('hex');
}

async function unzip(zip: string, into: string): Promise<void> {
  try {
    await promisify(execFile)('unzip', ['-q', zip, '-d', into], { maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new LabError(
      missing ? 'LOOM_LAB_MISSING_TOOL' : 'LOOM_LAB_BUILD_FAILED',
      missing
        ? 'cannot unpack the Go toolchain: unzip not found on PATH (Debian: apt-get install unzip)'
        : `cannot unpack ${zip}: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBinaries, k8sCacheDir, missingBinaries } from '../src/build/binaries.ts';
import { LAB_BINARIES } from '../src/build/versions.ts';
import { isLabError } from '../src/errors.ts';

// Made in beforeAll, not at load: `vitest list` loads the file without running hooks.
let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'loom-bin-test-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function binDirWith(binaries: readonly string[]): string {
  const dir = mkdtempSync(join(scratch, 'bin-'));
  for (const binary of binaries) {
    writeFileSync(join(dir, binary), '#!/bin/sh\n');
    chmodSync(join(dir, binary), 0o755);
  }
  return dir;
}

function goVersion(): string | undefined {
  try {
    return execFileSync('go', ['env', 'GOVERSION'], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

describe('the binary cache', () => {
  it('keys the cache under LOOM_CACHE_DIR, else ~/.cache/loom', () => {
    expect(k8sCacheDir({ LOOM_CACHE_DIR: '/c' })).toBe('/c/k8s');
    expect(k8sCacheDir({ XDG_CACHE_HOME: '/x' })).toBe('/x/loom/k8s');
  });

  it('lists what is missing or not executable', async () => {
    const dir = binDirWith(LAB_BINARIES.filter((binary) => binary !== 'etcd'));
    writeFileSync(join(dir, 'etcd'), 'not executable');
    expect(await missingBinaries(dir)).toEqual(['etcd']);
  });

  it('takes LOOM_K8S_BIN_DIR as is, and never builds', async () => {
    const dir = binDirWith(LAB_BINARIES);
    const resolved = await ensureBinaries({ env: { LOOM_K8S_BIN_DIR: dir } });
    expect(resolved).toMatchObject({ binDir: dir, source: 'env', built: [] });
  });

  it('says what LOOM_K8S_BIN_DIR lacks', async () => {
    const dir = binDirWith(['kubectl']);
    const error = await ensureBinaries({ env: { LOOM_K8S_BIN_DIR: dir } }).catch((e: unknown) => e);
    expect(isLabError(error, 'LOOM_LAB_BINARIES_MISSING')).toBe(true);
    expect((error as Error).message).toContain(`LOOM_K8S_BIN_DIR=${dir} lacks kube-apiserver,`);
  });

  it.skipIf(goVersion() === undefined)('reuses a complete cache instantly', async () => {
    const cache = mkdtempSync(join(scratch, 'cache-'));
    const binDir = join(cache, 'k8s', `v1.37.2-${goVersion()}`, 'bin');
    mkdirSync(binDir, { recursive: true });
    for (const binary of LAB_BINARIES) {
      writeFileSync(join(binDir, binary), '#!/bin/sh\n', { mode: 0o755 });
    }
    const progress: string[] = [];
    const resolved = await ensureBinaries({
      env: { LOOM_CACHE_DIR: cache },
      onProgress: (line) => progress.push(line),
    });
    expect(resolved).toMatchObject({ binDir, source: 'cache', built: [] });
    expect(resolved.durationMs).toBeLessThan(2_000);
    expect(progress).toEqual([]);
  });
});

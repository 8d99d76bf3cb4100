import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBinaries, missingArtifacts, missingBinaries } from '../../src/build/binaries.ts';
import { LAB_BINARIES } from '../../src/build/versions.ts';
import { isLabError } from '../../src/errors.ts';

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

/** A PATH whose `go` is a stand-in answering `go env GOVERSION` with `version`. */
function pathWithGo(version: string): string {
  const dir = mkdtempSync(join(scratch, 'path-'));
  writeFileSync(join(dir, 'go'), `#!/bin/sh\n[ "$1 $2" = "env GOVERSION" ] && echo ${version}\n`, {
    mode: 0o755,
  });
  return dir;
}

function completeCache(goVersion: string): { cache: string; binDir: string } {
  const cache = mkdtempSync(join(scratch, 'cache-'));
  const binDir = join(cache, 'k8s', `v1.37.2-${goVersion}`, 'bin');
  mkdirSync(binDir, { recursive: true });
  for (const binary of LAB_BINARIES) {
    writeFileSync(join(binDir, binary), '#!/bin/sh\n', { mode: 0o755 });
  }
  writeFileSync(join(binDir, 'cri-api.proto'), 'syntax = "proto3";\n');
  return { cache, binDir };
}

describe('the binary cache', () => {
  it('lists what is missing or not executable', async () => {
    const dir = binDirWith(LAB_BINARIES.filter((binary) => binary !== 'etcd'));
    writeFileSync(join(dir, 'etcd'), 'not executable');
    expect(await missingBinaries(dir)).toEqual(['etcd']);
  });

  it('takes LOOM_K8S_BIN_DIR as is, and never builds', async () => {
    const dir = binDirWith([...LAB_BINARIES, 'cri-api.proto']);
    const resolved = await ensureBinaries({ env: { LOOM_K8S_BIN_DIR: dir } });
    expect(resolved).toMatchObject({ binDir: dir, source: 'env', built: [] });
  });

  it('says what LOOM_K8S_BIN_DIR lacks', async () => {
    const dir = binDirWith(['kubectl']);
    const error = await ensureBinaries({ env: { LOOM_K8S_BIN_DIR: dir } }).catch((e: unknown) => e);
    expect(isLabError(error, 'LOOM_LAB_BINARIES_MISSING')).toBe(true);
    expect((error as Error).message).toContain(`LOOM_K8S_BIN_DIR=${dir} lacks kube-apiserver,`);
  });

  it('counts the CRI API proto as part of a complete directory', async () => {
    const dir = binDirWith(LAB_BINARIES);
    expect(await missingArtifacts(dir)).toEqual(['cri-api.proto']);
    const error = await ensureBinaries({ env: { LOOM_K8S_BIN_DIR: dir } }).catch((e: unknown) => e);
    expect((error as Error).message).toBe(
      `LOOM_K8S_BIN_DIR=${dir} lacks cri-api.proto; unset it to build them into the cache`,
    );
  });

  it("reuses the cache of the machine's Go instantly", async () => {
    const { cache, binDir } = completeCache('go1.99.1');
    const progress: string[] = [];
    const resolved = await ensureBinaries({
      env: { LOOM_CACHE_DIR: cache, PATH: pathWithGo('go1.99.1') },
      onProgress: (line) => progress.push(line),
    });
    expect(resolved).toMatchObject({ binDir, source: 'cache', built: [] });
    expect(resolved.durationMs).toBeLessThan(2_000);
    expect(progress).toEqual([]);
  });

  it('without Go (or with an old one) takes any complete cache and fetches nothing', async () => {
    const { cache, binDir } = completeCache('go1.26.8');
    for (const path of [mkdtempSync(join(scratch, 'empty-')), pathWithGo('go1.19.8')]) {
      const progress: string[] = [];
      const resolved = await ensureBinaries({
        env: { LOOM_CACHE_DIR: cache, PATH: path, GOPROXY: 'off' },
        onProgress: (line) => progress.push(line),
      });
      expect(resolved).toMatchObject({ binDir, source: 'cache', built: [] });
      expect(progress).toEqual([]);
    }
  });
});

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cachedArtifactPath, k8sCacheDir } from '../src/lab-binaries.ts';

// Made in beforeAll, not at load: `vitest list` loads the file without running hooks.
let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'loom-lab-binaries-test-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("the lab's binary cache", () => {
  it('keys the cache under LOOM_CACHE_DIR, else ~/.cache/loom', () => {
    expect(k8sCacheDir({ LOOM_CACHE_DIR: '/c' })).toBe('/c/k8s');
    expect(k8sCacheDir({ XDG_CACHE_HOME: '/x' })).toBe('/x/loom/k8s');
  });

  it('finds agnhost and the CRI proto for flag defaults: LOOM_K8S_BIN_DIR, else the cache', () => {
    const cache = mkdtempSync(join(scratch, 'cache-'));
    const binDir = join(cache, 'k8s', 'v1.37.2-go1.26.8', 'bin');
    mkdirSync(binDir, { recursive: true });
    writeFileSync(join(binDir, 'cri-api.proto'), 'syntax = "proto3";\n');
    expect(cachedArtifactPath('cri-api.proto', { LOOM_CACHE_DIR: cache })).toBe(
      join(binDir, 'cri-api.proto'),
    );
    expect(cachedArtifactPath('agnhost', { LOOM_K8S_BIN_DIR: '/k8s', LOOM_CACHE_DIR: cache })).toBe(
      '/k8s/agnhost',
    );
    expect(cachedArtifactPath('agnhost', { LOOM_CACHE_DIR: join(scratch, 'none') })).toBe(
      join(scratch, 'none', 'k8s', 'v1.37.2-<go version>', 'bin', 'agnhost'),
    );
  });
});

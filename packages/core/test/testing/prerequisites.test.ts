import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kernelTierMissing } from '../../src/testing/kernel-availability.ts';
import { isCi, skipOrFailInCi } from '../../src/testing/prerequisites.ts';

describe('a missing prerequisite', () => {
  it.each([
    [{ CI: 'true' }, true],
    [{ CI: '1' }, true],
    [{ CI: 'false' }, false],
    [{}, false],
  ])('CI is on for %o: %s', (env, on) => {
    expect(isCi(env)).toBe(on);
  });

  it('skips outside CI, with the reason', () => {
    expect(skipOrFailInCi('the lab needs openssl on PATH', {})).toBe(
      'the lab needs openssl on PATH',
    );
  });

  it('fails under CI, naming what is missing', () => {
    expect(() => skipOrFailInCi('kernel tests need nft on PATH', { CI: 'true' })).toThrow(
      'CI=true, and kernel tests need nft on PATH: under CI a missing prerequisite fails the run',
    );
  });

  it('lets a ready tier run, in CI or not', () => {
    expect(skipOrFailInCi(undefined, { CI: 'true' })).toBeUndefined();
    expect(skipOrFailInCi(undefined, {})).toBeUndefined();
  });
});

describe("the kernel tier's tools", () => {
  let bin: string;
  beforeAll(() => {
    bin = mkdtempSync(join(tmpdir(), 'loom-tools-test-'));
  });
  afterAll(() => rmSync(bin, { recursive: true, force: true }));

  it('names each missing tool and its Debian package', () => {
    for (const tool of ['ip', 'nsenter']) symlinkSync('/bin/true', join(bin, tool));
    expect(kernelTierMissing(0, bin)).toBe(
      'kernel tests need nft, conntrack, sysctl on PATH (Debian: apt-get install nftables conntrack procps)',
    );
    for (const tool of ['nft', 'conntrack', 'sysctl']) symlinkSync('/bin/true', join(bin, tool));
    expect(kernelTierMissing(0, bin)).toBeUndefined();
  });

  it('needs root', () => {
    expect(kernelTierMissing(1000, bin)).toBe(
      'kernel tests need root to create network namespaces (uid is 1000)',
    );
  });
});

import { describe, expect, it } from 'vitest';
import { CNI_ERROR, type CniError } from '../../src/types/cni-error.ts';
import {
  compareVersions,
  requireSupportedVersion,
  requireVerbInVersion,
  SUPPORTED_CNI_VERSIONS,
  versionAtLeast,
} from '../../src/version/cni-version.ts';

function codeOf(work: () => unknown): number | undefined {
  try {
    work();
    return undefined;
  } catch (error) {
    return (error as CniError).code;
  }
}

describe('requireSupportedVersion', () => {
  it.each(SUPPORTED_CNI_VERSIONS)('accepts %s', (version) => {
    expect(requireSupportedVersion(version)).toBe(version);
  });

  it.each([
    { value: '0.2.0', code: CNI_ERROR.incompatibleVersion },
    { value: '0.1.0', code: CNI_ERROR.incompatibleVersion },
    { value: '2.0.0', code: CNI_ERROR.incompatibleVersion },
    { value: undefined, code: CNI_ERROR.incompatibleVersion },
    { value: '1.1', code: CNI_ERROR.decodingFailure },
    { value: 110, code: CNI_ERROR.decodingFailure },
  ])('refuses $value with code $code', ({ value, code }) => {
    expect(codeOf(() => requireSupportedVersion(value))).toBe(code);
  });
});

describe('requireVerbInVersion', () => {
  const firstVersion: Record<string, string> = {
    ADD: '0.3.0',
    DEL: '0.3.0',
    CHECK: '0.4.0',
    STATUS: '1.1.0',
    GC: '1.1.0',
  };
  const rows = Object.entries(firstVersion).flatMap(([verb, first]) =>
    SUPPORTED_CNI_VERSIONS.map((version) => ({
      verb,
      version,
      allowed: compareVersions(version, first) >= 0,
    })),
  );

  it.each(rows)('$verb in $version: allowed=$allowed', ({ verb, version, allowed }) => {
    expect(codeOf(() => requireVerbInVersion(verb, version))).toBe(
      allowed ? undefined : CNI_ERROR.incompatibleVersion,
    );
  });
});

describe('compareVersions', () => {
  it('orders numerically, not as text', () => {
    expect(compareVersions('0.10.0', '0.4.0')).toBeGreaterThan(0);
    expect(compareVersions('1.0.0', '1.0.0')).toBe(0);
    expect(compareVersions('0.3.1', '1.0.0')).toBeLessThan(0);
  });
});

describe('versionAtLeast', () => {
  it.each([
    ['1.0.0', '0.4.0', true],
    ['0.3.1', '0.4.0', false],
    ['1.1.0', '1.1.0', true],
    ['0.4.0', '1.1.0', false],
  ] as const)('%s ≥ %s is %s', (a, b, expected) => {
    expect(versionAtLeast(a, b)).toBe(expected);
  });
});

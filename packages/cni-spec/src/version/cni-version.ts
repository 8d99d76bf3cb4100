import { CNI_ERROR, CniError } from '../types/cni-error.ts';

/**
 * The spec versions a plugin built on skel speaks (skel prints its results in each of them).
 * 0.3.0 and 0.3.1 differ only by a typo fix; results below 1.0.0 carry `ips[].version`, and
 * 1.1.0 adds interface and route fields.
 */
export const SUPPORTED_CNI_VERSIONS = ['0.3.0', '0.3.1', '0.4.0', '1.0.0', '1.1.0'] as const;

/**
 * Every version a runtime may meet in a configuration or a result: the supported ones plus
 * 0.1.0 and 0.2.0, whose results (`ip4`, `ip6`) libcni still reads and writes.
 */
export const ALL_CNI_VERSIONS = ['0.1.0', '0.2.0', ...SUPPORTED_CNI_VERSIONS] as const;

export type CniVersion = (typeof SUPPORTED_CNI_VERSIONS)[number];

export const CURRENT_CNI_VERSION: CniVersion = '1.1.0';

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;

/** Whether `value` is spelled as a spec version (`x.y.z`), known or not. */
export function isVersion(value: unknown): value is string {
  return typeof value === 'string' && SEMVER.test(value);
}

export function isSupportedVersion(value: unknown): value is CniVersion {
  return typeof value === 'string' && (SUPPORTED_CNI_VERSIONS as readonly string[]).includes(value);
}

/** Orders two `x.y.z` versions; throws on anything else. */
export function compareVersions(a: string, b: string): number {
  const pa = versionParts(a);
  const pb = versionParts(b);
  for (let i = 0; i < 3; i++) {
    const diff = pa[i]! - pb[i]!;
    if (diff !== 0) return diff;
  }
  return 0;
}

export function versionAtLeast(version: string, minimum: string): boolean {
  return compareVersions(version, minimum) >= 0;
}

function versionParts(version: string): number[] {
  const match = SEMVER.exec(version);
  if (!match) throw new TypeError(`${JSON.stringify(version)} is not a CNI version (x.y.z)`);
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

/**
 * The config's `cniVersion`, checked against what Loom speaks. A missing version means 0.1.0
 * to libcni (and so to every runtime), which Loom does not speak.
 */
export function requireSupportedVersion(value: unknown): CniVersion {
  if (value !== undefined && typeof value !== 'string') {
    throw new CniError(
      CNI_ERROR.decodingFailure,
      `cannot decode cniVersion ${JSON.stringify(value)}: it must be a string`,
    );
  }
  const version = value ?? '0.1.0';
  if (!SEMVER.test(version)) {
    throw new CniError(
      CNI_ERROR.decodingFailure,
      `cannot decode cniVersion ${JSON.stringify(version)}: expected x.y.z`,
    );
  }
  if (!isSupportedVersion(version)) {
    throw new CniError(CNI_ERROR.incompatibleVersion, `incompatible CNI version ${version}`, {
      details: `this plugin supports ${SUPPORTED_CNI_VERSIONS.join(', ')}`,
    });
  }
  return version;
}

/** The first spec version that has each verb (CHECK came in 0.4.0, STATUS and GC in 1.1.0). */
const FIRST_VERSION_WITH: Record<string, string> = { CHECK: '0.4.0', STATUS: '1.1.0', GC: '1.1.0' };

export function requireVerbInVersion(command: string, version: CniVersion): void {
  const first = FIRST_VERSION_WITH[command];
  if (first !== undefined && !versionAtLeast(version, first)) {
    throw new CniError(
      CNI_ERROR.incompatibleVersion,
      `config version ${version} does not allow ${command}`,
      {
        details: `${command} needs cniVersion ${first} or later`,
      },
    );
  }
}

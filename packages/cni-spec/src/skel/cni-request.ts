import { CNI_ERROR, CniError } from '../types/cni-error.ts';
import type { CniResult } from '../types/cni-result.ts';
import { parseResult } from '../types/cni-result.ts';
import { networkNameProblem } from '../types/identifiers.ts';
import { asObject, describeValue } from '../types/json-fields.ts';
import {
  type CniVersion,
  requireSupportedVersion,
  requireVerbInVersion,
} from '../version/cni-version.ts';
import type { CniEnvironment } from './cni-env.ts';

/** One plugin invocation: the environment plus the decoded configuration from stdin. */
export interface CniRequest {
  env: CniEnvironment;
  /** The configuration text as received: delegated plugins get it unchanged (SPEC.md section 4). */
  stdin: string;
  config: Record<string, unknown>;
  cniVersion: CniVersion;
  /** The network name (`name`), the namespace of every attachment. */
  network: string;
}

/** Decodes stdin as a JSON object (code 6 when it is not one). */
export function decodeConfig(stdin: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(stdin);
  } catch (error) {
    const why = stdin.trim() === '' ? 'stdin is empty' : (error as Error).message;
    throw new CniError(
      CNI_ERROR.decodingFailure,
      `cannot decode the network configuration on stdin: ${why}`,
    );
  }
  try {
    return asObject(value, 'the network configuration on stdin');
  } catch {
    throw new CniError(
      CNI_ERROR.decodingFailure,
      `cannot decode the network configuration on stdin: expected a JSON object, got ${describeValue(value)}`,
    );
  }
}

/** The version an error result should carry: the config's when it names one, else `fallback`. */
export function versionForErrors(stdin: string, fallback: string): string {
  try {
    const version = (JSON.parse(stdin) as { cniVersion?: unknown }).cniVersion;
    return typeof version === 'string' && /^\d+\.\d+\.\d+$/.test(version) ? version : fallback;
  } catch {
    return fallback;
  }
}

export function buildRequest(env: CniEnvironment, stdin: string): CniRequest {
  const config = decodeConfig(stdin);
  const cniVersion = requireSupportedVersion(config.cniVersion);
  requireVerbInVersion(env.command, cniVersion);
  return { env, stdin, config, cniVersion, network: requireNetworkName(config.name) };
}

/** The runtime's `prevResult` (SPEC.md section 4), read in any supported version; undefined when absent. */
export function previousResult(request: CniRequest): CniResult | undefined {
  const value = request.config.prevResult;
  return value === undefined ? undefined : parseResult(value, 'prevResult');
}

// SPEC.md section 1: the network name follows the container ID's rule. It also names a
// directory under dataDir, so it must not climb out of it.
function requireNetworkName(value: unknown): string {
  if (typeof value !== 'string' || value === '') {
    throw new CniError(
      CNI_ERROR.invalidConfig,
      `invalid network configuration: name is ${value === '' || value === undefined ? 'missing' : describeValue(value)}`,
    );
  }
  if (networkNameProblem(value) !== undefined) {
    throw new CniError(
      CNI_ERROR.invalidConfig,
      `invalid network configuration: name ${JSON.stringify(value)} must start with a letter or digit, then letters, digits, '_', '.' or '-'`,
    );
  }
  return value;
}

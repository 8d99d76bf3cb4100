/**
 * The spec's well-known error codes (SPEC.md, "Error") and Loom's own, which start at 100.
 * A runtime branches on these numbers, so they never change meaning.
 */
export const CNI_ERROR = {
  incompatibleVersion: 1,
  unsupportedField: 2,
  unknownContainer: 3,
  invalidEnvironment: 4,
  ioFailure: 5,
  decodingFailure: 6,
  invalidConfig: 7,
  tryAgainLater: 11,
  notAvailable: 50,
  notAvailableLimitedConnectivity: 51,
  /** An unexpected failure inside Loom (a bug): the message says what was being done. */
  internal: 100,
  /** ADD found `CNI_IFNAME` already present in the container's namespace. */
  interfaceExists: 101,
  /** Every address of an IPAM range set is allocated. */
  rangeExhausted: 102,
  /** An `ip` or `nft` command failed; the message names the command and the object. */
  kernelCommandFailed: 103,
  /** A requested address (`ips` capability, `IP` argument) is taken by another attachment. */
  addressInUse: 104,
  /** loom-ipam's allocation database cannot be opened, read or written. */
  storeFailure: 105,
  /** A delegated plugin (IPAM) could not be run or answered something unreadable. */
  delegateFailed: 106,
  /** CHECK found the attachment different from `prevResult`. */
  checkFailed: 107,
  /** The bridge holds an address in the way of a gateway, and `forceAddress` is off. */
  bridgeAddressConflict: 108,
} as const;

export type CniErrorName = keyof typeof CNI_ERROR;

export interface CniErrorOptions {
  /** The longer explanation for the result's `details` (the underlying tool's error, a hint). */
  details?: string;
  cause?: unknown;
}

/** A failure that leaves the plugin as the spec's error result. */
export class CniError extends Error {
  readonly code: number;
  readonly details: string | undefined;

  constructor(code: number, message: string, options: CniErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CniError';
    this.code = code;
    this.details = options.details;
  }
}

export function isCniError(error: unknown, code?: number): error is CniError {
  return error instanceof CniError && (code === undefined || error.code === code);
}

/** The error result of SPEC.md section 5, printed on stdout with a non-zero exit. */
export interface CniErrorResult {
  cniVersion: string;
  code: number;
  msg: string;
  details?: string;
}

export function toErrorResult(error: unknown, cniVersion: string): CniErrorResult {
  if (isCniError(error)) {
    const details = error.details ?? causeChain(error.cause);
    return { cniVersion, code: error.code, msg: error.message, ...(details ? { details } : {}) };
  }
  const message = error instanceof Error ? error.message : String(error);
  const details = error instanceof Error ? causeChain(error.cause) : undefined;
  return { cniVersion, code: CNI_ERROR.internal, msg: message, ...(details ? { details } : {}) };
}

function causeChain(cause: unknown): string | undefined {
  const messages: string[] = [];
  let current = cause;
  while (current instanceof Error && messages.length < 5) {
    messages.push(current.message);
    current = current.cause;
  }
  return messages.length > 0 ? messages.join(': ') : undefined;
}

/**
 * `error` with `context` in front of its message (`failed to GC plugin bridge: …`), keeping its
 * code and details; anything not a CniError becomes one of code 100, the original as `cause`.
 */
export function withContext(error: unknown, context: string): CniError {
  const message = error instanceof Error ? error.message : String(error);
  if (isCniError(error)) {
    return new CniError(error.code, `${context}: ${message}`, {
      details: error.details,
      cause: error.cause,
    });
  }
  return new CniError(CNI_ERROR.internal, `${context}: ${message}`, { cause: error });
}

/** The message and, when there are any, the details: one line for a log or another error. */
export function errorText(error: unknown): string {
  if (isCniError(error) && error.details !== undefined) return `${error.message}; ${error.details}`;
  return error instanceof Error ? error.message : String(error);
}

// Stable codes so callers can branch on the failure without matching message text.
export type NetErrorCode =
  | 'LOOM_INVALID_IP'
  | 'LOOM_INVALID_CIDR'
  | 'LOOM_FAMILY_MISMATCH'
  | 'LOOM_OUT_OF_RANGE'
  | 'LOOM_INVALID_ALLOCATION_RANGE'
  | 'LOOM_RANGE_EXHAUSTED'
  | 'LOOM_ADDRESS_IN_USE'
  | 'LOOM_ADDRESS_RESERVED'
  | 'LOOM_INVALID_ALLOCATOR_SNAPSHOT'
  | 'LOOM_INVALID_CLUSTER_CONFIG';

export class NetError<C extends NetErrorCode = NetErrorCode> extends Error {
  readonly code: C;

  constructor(code: C, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'NetError';
    this.code = code;
  }
}

export function isNetError<C extends NetErrorCode>(error: unknown, code?: C): error is NetError<C> {
  return error instanceof NetError && (code === undefined || error.code === code);
}

/** Every address of an allocation range is allocated or reserved. */
export class RangeExhaustedError extends NetError<'LOOM_RANGE_EXHAUSTED'> {
  /** The range as `first-last` (e.g. `10.244.1.2-10.244.1.254`). */
  readonly range: string;

  constructor(range: string, message: string) {
    super('LOOM_RANGE_EXHAUSTED', message);
    this.name = 'RangeExhaustedError';
    this.range = range;
  }
}

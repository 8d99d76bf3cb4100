import { status } from '@grpc/grpc-js';
import { errorText } from '@loom-net/cni-spec';

/** The gRPC status a CRI call fails with; the kubelet branches on NotFound and DeadlineExceeded. */
export type CriErrorCode =
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'FAILED_PRECONDITION'
  | 'INVALID_ARGUMENT'
  | 'DEADLINE_EXCEEDED'
  | 'UNIMPLEMENTED'
  | 'INTERNAL';

const GRPC_CODES: Record<CriErrorCode, status> = {
  NOT_FOUND: status.NOT_FOUND,
  ALREADY_EXISTS: status.ALREADY_EXISTS,
  FAILED_PRECONDITION: status.FAILED_PRECONDITION,
  INVALID_ARGUMENT: status.INVALID_ARGUMENT,
  DEADLINE_EXCEEDED: status.DEADLINE_EXCEEDED,
  UNIMPLEMENTED: status.UNIMPLEMENTED,
  INTERNAL: status.INTERNAL,
};

/** A failed CRI call: the message names the object and the action, `code` picks the gRPC status. */
export class CriError extends Error {
  readonly code: CriErrorCode;

  constructor(code: CriErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CriError';
    this.code = code;
  }
}

export function isCriError(error: unknown, code?: CriErrorCode): error is CriError {
  return error instanceof CriError && (code === undefined || error.code === code);
}

/**
 * The message with its causes (and a CNI error's details), so a gRPC client sees why
 * (`…: plugin type="bridge" failed ADD: …`).
 */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const message = errorText(error);
  const cause = error.cause;
  if (cause === undefined || (cause instanceof Error && message.includes(cause.message))) {
    return message;
  }
  return `${message}: ${describeError(cause)}`;
}

/** The gRPC status for any error a handler threw; anything untyped is INTERNAL. */
export function grpcStatusOf(error: unknown): { code: status; details: string } {
  const code = isCriError(error) ? GRPC_CODES[error.code] : status.INTERNAL;
  return { code, details: describeError(error) };
}

export function notFound(kind: string, id: string): CriError {
  return new CriError('NOT_FOUND', `${kind} "${id}" not found`);
}

export type RuntimeErrorCode =
  /** A flag or the image map file is wrong; the message says which and how. */
  | 'LOOM_RUNTIME_BAD_CONFIG'
  /** The CRI API's api.proto is not where the runtime looks for it. */
  | 'LOOM_RUNTIME_CRI_API_MISSING';

/** A failure to start the runtime (not a CRI call's: those are CriError). */
export class RuntimeError extends Error {
  readonly code: RuntimeErrorCode;

  constructor(code: RuntimeErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RuntimeError';
    this.code = code;
  }
}

export function isRuntimeError(error: unknown, code?: RuntimeErrorCode): error is RuntimeError {
  return error instanceof RuntimeError && (code === undefined || error.code === code);
}

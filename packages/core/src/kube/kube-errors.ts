import type { KubeStatus } from './kube-object.ts';

/** The API server answered with an error status (HTTP, or an in-stream watch ERROR event). */
export class KubeApiError extends Error {
  readonly code = 'LOOM_KUBE_API';
  /** HTTP status code: 404, 409, 410, 500, … */
  readonly status: number;
  /** The Status reason: `NotFound`, `Conflict`, `Expired`, `Gone`, … */
  readonly reason: string | undefined;
  readonly body: KubeStatus | undefined;
  readonly method: string;
  readonly path: string;

  constructor(method: string, path: string, status: number, body?: KubeStatus) {
    const detail = body?.message ?? body?.reason ?? 'no status message';
    super(
      `cannot ${method} ${path}: ${status} ${body?.reason ?? ''}: ${detail}`.replace(' :', ':'),
    );
    this.name = 'KubeApiError';
    this.status = status;
    this.reason = body?.reason;
    this.body = body;
    this.method = method;
    this.path = path;
  }
}

/** The request never got an answer: refused, reset, TLS failure, timeout, truncated stream. */
export class KubeConnectionError extends Error {
  readonly code = 'LOOM_KUBE_CONNECTION';
  readonly method: string;
  readonly path: string;

  constructor(method: string, path: string, server: string, cause: unknown) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super(`cannot ${method} ${path} on ${server}: ${why}`, { cause });
    this.name = 'KubeConnectionError';
    this.method = method;
    this.path = path;
  }
}

/** A watch stream carried something that is not a JSON watch event. */
export class WatchDecodeError extends Error {
  readonly code = 'LOOM_KUBE_WATCH_DECODE';

  constructor(path: string, line: string, cause?: unknown) {
    super(`cannot decode watch event on ${path}: ${JSON.stringify(line.slice(0, 200))}`, { cause });
    this.name = 'WatchDecodeError';
  }
}

/** True for an API error, optionally with the given HTTP status (`isKubeApiError(err, 409)`). */
export function isKubeApiError(err: unknown, status?: number): err is KubeApiError {
  return err instanceof KubeApiError && (status === undefined || err.status === status);
}

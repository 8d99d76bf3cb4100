/** The logging surface the Kubernetes layer uses; a pino `Logger` satisfies it, so does a
 * test double. Structured fields first, message second, as pino wants. */
export interface KubeLogger {
  debug(fields: object, msg?: string): void;
  info(fields: object, msg?: string): void;
  warn(fields: object, msg?: string): void;
  error(fields: object, msg?: string): void;
}

const ignore = (): void => {};

export const silentKubeLogger: KubeLogger = {
  debug: ignore,
  info: ignore,
  warn: ignore,
  error: ignore,
};

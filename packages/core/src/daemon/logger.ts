import type { DestinationStream, Level, Logger } from 'pino';
import { pino } from 'pino';

export type { Logger } from 'pino';

export type LogLevel = Level | 'silent';

export const LOG_LEVELS: readonly LogLevel[] = [
  'trace',
  'debug',
  'info',
  'warn',
  'error',
  'fatal',
  'silent',
];

export interface LoggerOptions {
  /** Set on every line as `component`, e.g. `route-agent`. */
  component: string;
  /** From a `--log-level` flag; falls back to `LOOM_LOG_LEVEL`, then `info`. */
  level?: string;
  /** Where the JSON lines go; default stdout, written synchronously so exit loses nothing. */
  destination?: DestinationStream;
}

function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

/** The level from a flag, else `LOOM_LOG_LEVEL`, else `info`; anything else is an error. */
export function resolveLogLevel(flag?: string, env: NodeJS.ProcessEnv = process.env): LogLevel {
  const [value, source] =
    flag !== undefined ? [flag, 'log level'] : [env.LOOM_LOG_LEVEL, 'LOOM_LOG_LEVEL'];
  if (value === undefined || value === '') return 'info';
  const level = value.toLowerCase();
  if (!isLogLevel(level)) {
    throw new TypeError(
      `invalid ${source} ${JSON.stringify(value)}: expected one of ${LOG_LEVELS.join(', ')}`,
    );
  }
  return level;
}

/** A pino logger writing one JSON object per line, each with `component`. */
export function createLogger(options: LoggerOptions): Logger {
  const destination = options.destination ?? pino.destination({ dest: 1, sync: true });
  return pino(
    {
      level: resolveLogLevel(options.level),
      base: { component: options.component },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}

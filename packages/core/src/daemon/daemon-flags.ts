import { isFlagsError } from './flags-error.ts';

/** What a daemon's flag parser returns: `--help`, or a validated configuration. */
export type ParsedDaemonFlags<Config> = { help: true } | { help: false; config: Config };

export interface DaemonFlagsOptions<Config> {
  /** The command's name, for the hint after a usage error. */
  command: string;
  parse(): ParsedDaemonFlags<Config>;
  usage(): string;
  /**
   * Errors that are the user's (a bad flag value): reported, exit 2. Others are bugs.
   * Default: core's FlagsError, which `parseFlags` throws.
   */
  isUsageError?(error: unknown): boolean;
}

/**
 * A daemon's first step: parse its flags, print the usage and exit 0 on `--help`, or print a
 * usage error and exit 2, before any logger or connection exists.
 */
export function parseDaemonFlags<Config>(options: DaemonFlagsOptions<Config>): Config {
  try {
    const parsed = options.parse();
    if (parsed.help) {
      process.stdout.write(options.usage());
      process.exit(0);
    }
    return parsed.config;
  } catch (error) {
    if (!(options.isUsageError ?? isFlagsError)(error)) throw error;
    console.error(`${(error as Error).message}\nRun ${options.command} --help for the flags.`);
    process.exit(2);
  }
}

export {
  healthAddressFlag,
  healthPortFlag,
  kubeconfigFlag,
  logLevelFlag,
} from './common-flags.ts';
export type { DaemonFlagsOptions, ParsedDaemonFlags } from './daemon-flags.ts';
export { parseDaemonFlags } from './daemon-flags.ts';
export type { DaemonKubeClientOptions } from './daemon-kube-client.ts';
export { daemonKubeClient } from './daemon-kube-client.ts';
export type { KindResult } from './flag-kinds.ts';
export { formatDuration, readDuration } from './flag-kinds.ts';
export type {
  BooleanFlag,
  CidrListFlag,
  DurationFlag,
  EnumFlag,
  FlagKind,
  FlagSpec,
  FlagTable,
  FlagValue,
  FlagValues,
  NumberFlag,
  PortFlag,
  RepeatableFlag,
  StringFlag,
} from './flag-table.ts';
export { defineFlagTable, envNamesOf, flagLabel, flagSynopsis } from './flag-table.ts';
export { defaultShown, flagMarkdown, flagUsage } from './flag-usage.ts';
export { FlagsError, isFlagsError } from './flags-error.ts';
export type { CheckOutcome, HealthCheck, HealthCheckResult } from './health-check.ts';
export { renderCheckLine, renderReport, runCheck } from './health-check.ts';
export type { HealthServer, HealthServerOptions, MetricsSource } from './health-server.ts';
export { startHealthServer } from './health-server.ts';
export type { Logger, LoggerOptions, LogLevel } from './logger.ts';
export { createLogger, LOG_LEVELS, resolveLogLevel } from './logger.ts';
export type { HistogramOptions, MetricsRegistry, MetricsRegistryOptions } from './metrics.ts';
export { createMetricsRegistry } from './metrics.ts';
export type { FlagCheck } from './parse-flags.ts';
export { parseFlags } from './parse-flags.ts';
export type { ReadmeFlagsCheck } from './readme-flags.ts';
export {
  checkReadmeFlags,
  README_FLAGS_BEGIN,
  README_FLAGS_END,
  readmeFlagSection,
  withReadmeFlagSection,
} from './readme-flags.ts';
export type { DaemonOptions, ShutdownHandler } from './shutdown.ts';
export { isShuttingDown, onShutdown, runDaemon, shutdownSignal } from './shutdown.ts';
export type { WriteFileAtomicOptions } from './write-file-atomic.ts';
export { AtomicWriteError, writeFileAtomic, writeFileAtomicSync } from './write-file-atomic.ts';

export type { CliCommand, LabVerb } from './cli-args.ts';
export { parseCliArgs, USAGE, UsageError } from './cli-args.ts';
export type { ClusterCommand, ClusterVerb } from './cluster-args.ts';
export { parseClusterArgs } from './cluster-args.ts';
export {
  formatBinaries,
  formatDownReport,
  formatStatus,
  formatUpReport,
} from './lab-report-format.ts';
export type { CliIo } from './run-cli.ts';
export { runCli } from './run-cli.ts';

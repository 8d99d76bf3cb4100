import {
  ensureBinaries,
  ensureLabImage,
  isLabError,
  labDown,
  labExec,
  labStatus,
  labUp,
  resolveLabConfig,
  runKubectl,
} from '@loom-net/lab';
import { type CliCommand, type LabVerb, parseCliArgs, USAGE, UsageError } from './cli-args.ts';
import { isLoomError, runClusterCommand } from './cluster-commands.ts';
import {
  formatBinaries,
  formatDownReport,
  formatImage,
  formatStatus,
  formatUpReport,
} from './lab-report-format.ts';

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  env: NodeJS.ProcessEnv;
}

type LabCommand = Extract<CliCommand, { kind: 'lab' }>;

const LAB_HANDLERS: Record<LabVerb, (command: LabCommand, io: CliIo) => Promise<number>> = {
  async build(command, io) {
    const binaries = await ensureBinaries({ env: io.env, onProgress: io.out });
    const config = resolveLabConfig(command.options, io.env);
    const image = await ensureLabImage(config, io.out);
    io.out(`${formatBinaries(binaries)}\n${formatImage(image)}`);
    return 0;
  },
  async up(command, io) {
    io.out(formatUpReport(await labUp({ ...command.options, env: io.env, onProgress: io.out })));
    return 0;
  },
  async status(command, io) {
    const status = await labStatus({ ...command.options, env: io.env });
    io.out(formatStatus(status));
    return status.exists && status.healthy ? 0 : 1;
  },
  async down(command, io) {
    io.out(formatDownReport(await labDown({ ...command.options, env: io.env })));
    return 0;
  },
  async kubectl(command, io) {
    const result = await runKubectl(command.args, { ...command.options, env: io.env });
    return result.exitCode;
  },
  async exec(command, io) {
    const result = await labExec(command.host!, command.args, { ...command.options, env: io.env });
    return result.exitCode;
  },
};

/** Runs one `loom` command line; resolves with the process exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const command = parseCliArgs(argv);
    if (command.kind === 'help') {
      io.out(USAGE.trimEnd());
      return 0;
    }
    if (command.kind !== 'lab') return await runClusterCommand(command, io);
    return await LAB_HANDLERS[command.verb](command, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`loom: ${error.message}`);
      return 2;
    }
    if (isLabError(error) || isLoomError(error)) {
      io.err(`loom: ${error.message}`);
      return 1;
    }
    io.err(`loom: unexpected error: ${(error as Error).stack ?? String(error)}`);
    return 1;
  }
}

import {
  formatInstallSummary,
  formatLoomStatus,
  formatObjectsYaml,
  formatUninstallReport,
  installLoom,
  loomStatus,
  uninstallLoom,
} from '@loom-net/install';
import type { ClusterCommand } from './cluster-args.ts';
import type { CliIo } from './run-cli.ts';

/** Runs `loom install|status|uninstall`; resolves with the exit code (0 done/healthy, 1 not). */
export async function runClusterCommand(command: ClusterCommand, io: CliIo): Promise<number> {
  switch (command.kind) {
    case 'install': {
      // A client dry run prints YAML on stdout (`loom install --dry-run > loom.yaml`), so the
      // progress goes to stderr.
      const yamlOut = command.options.dryRun === 'client';
      const progress = yamlOut ? io.err : io.out;
      const report = await installLoom({ ...command.options, env: io.env, onProgress: progress });
      if (yamlOut && report.ok) io.out(formatObjectsYaml(report.objects).trimEnd());
      for (const line of formatInstallSummary(report)) progress(line);
      return report.ok ? 0 : 1;
    }
    case 'status': {
      const status = await loomStatus({ ...command.options, env: io.env });
      io.out(
        command.output === 'json' ? JSON.stringify(status, null, 2) : formatLoomStatus(status),
      );
      return status.healthy ? 0 : 1;
    }
    case 'uninstall': {
      const report = await uninstallLoom({ ...command.options, env: io.env, onProgress: io.out });
      io.out(formatUninstallReport(report));
      return report.ok ? 0 : 1;
    }
  }
}

/** Errors Loom raises on purpose carry a `LOOM_…` code; their message is the whole story. */
export function isLoomError(error: unknown): error is Error & { code: string } {
  const code = (error as { code?: unknown } | null)?.code;
  return error instanceof Error && typeof code === 'string' && code.startsWith('LOOM_');
}

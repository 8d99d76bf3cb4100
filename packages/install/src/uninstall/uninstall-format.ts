import { formatProblems } from '../install/install-format.ts';
import type { UninstallReport } from './uninstall-loom.ts';

export function formatUninstallReport(report: UninstallReport): string {
  if (report.objects.length === 0 && report.nodes.length === 0) {
    return 'Loom is not installed: nothing to delete.';
  }
  if (report.dryRun) {
    return [
      'Would delete (in this order), after cleaning every node:',
      ...report.objects.map((o) => `  ${o}`),
      ...podsWarning(report),
    ].join('\n');
  }
  const lines = [
    'Nodes:',
    ...(report.keptNodeState
      ? ['  left as they are (--keep-node-state)']
      : report.nodes.length > 0
        ? report.nodes.map((n) => `  ${n.node}: ${n.summary ?? 'NOT CLEANED'}`)
        : ['  (the cluster has no node)']),
    `Deleted ${report.objects.length - report.remaining.length} of ${report.objects.length} object(s).`,
    ...report.remaining.map((o) => `  still there: ${o}`),
    ...(report.cleanupProblems.length > 0
      ? ['Cleanup did not finish on every node:', ...formatProblems(report.cleanupProblems)]
      : []),
    ...podsWarning(report),
    report.ok ? 'Loom is uninstalled.' : 'Loom is NOT fully uninstalled (see above).',
  ];
  return lines.join('\n');
}

function podsWarning(report: UninstallReport): string[] {
  const pods = report.podsOnLoomNetwork;
  if (pods.length === 0) return [];
  const shown = pods.slice(0, 10).join(', ');
  return [
    `Warning: ${pods.length} pod(s) have an address from Loom's network and lose connectivity: ${shown}${pods.length > 10 ? ', …' : ''}`,
    '  recreate them once another CNI is installed.',
  ];
}

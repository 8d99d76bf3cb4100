import {
  type DownReport,
  formatDuration,
  LAB_NETWORK,
  type LabStatus,
  type ResolvedBinaries,
  type UpReport,
} from '@loom-net/lab';

const pad = (text: string, width: number) => text.padEnd(width);

export function formatBinaries(binaries: ResolvedBinaries): string {
  const how =
    binaries.source === 'built'
      ? `built ${binaries.built.join(', ')} in ${formatDuration(binaries.durationMs)}`
      : binaries.source === 'env'
        ? 'from LOOM_K8S_BIN_DIR'
        : 'cached';
  return `Kubernetes binaries: ${binaries.binDir} (${how})`;
}

export function formatUpReport(report: UpReport): string {
  const { config } = report;
  const lines: string[] = [];
  if (report.alreadyUp) {
    lines.push(`lab is already up (state dir ${config.stateDir}); nothing to do`);
  } else {
    lines.push(`lab up in ${formatDuration(report.durationMs)} (state dir ${config.stateDir})`);
  }
  lines.push(`  ${formatBinaries(report.binaries)}`);
  for (const component of report.components) {
    const time =
      component.action === 'kept' ? '' : `  ready in ${formatDuration(component.durationMs)}`;
    lines.push(
      `  ${pad(component.name, 25)}${pad(component.action === 'kept' ? 'running' : component.action, 11)}pid ${component.pid}${time}`,
    );
  }
  lines.push(
    `API server: https://${LAB_NETWORK.controlPlaneIp}:${LAB_NETWORK.apiServerPort} in netns ${config.netns.controlPlane}; from this namespace: ${report.hostApiServer}`,
    `  export KUBECONFIG=${config.paths.hostKubeconfig}`,
    '  or: npx loom lab kubectl get namespaces',
  );
  return lines.join('\n');
}

export function formatStatus(status: LabStatus): string {
  const { config } = status;
  const state = !status.exists ? 'not up' : status.healthy ? 'up' : 'degraded';
  const lines = [`lab: ${state} (state dir ${config.stateDir})`];
  if (status.hostApiServer) lines.push(`API from this namespace: ${status.hostApiServer}`);
  for (const netns of status.namespaces) {
    lines.push(`netns ${netns.name}: ${netns.exists ? 'present' : 'absent'}`);
  }
  lines.push(`${pad('COMPONENT', 25)}${pad('STATE', 10)}${pad('PID', 9)}HEALTH`);
  for (const component of status.components) {
    const health = component.health
      ? component.health.ok
        ? 'ok'
        : `failing: ${component.health.detail}`
      : '-';
    lines.push(
      `${pad(component.name, 25)}${pad(component.running ? 'running' : 'stopped', 10)}${pad(String(component.pid ?? '-'), 9)}${health}`,
    );
    if (!component.running && status.exists && component.logTail) {
      lines.push(`  last lines of ${component.logFile}:`);
      for (const line of component.logTail.split('\n')) lines.push(`  | ${line}`);
    }
  }
  if (!status.exists) lines.push('(run: loom lab up)');
  return lines.join('\n');
}

export function formatDownReport(report: DownReport): string {
  const { config } = report;
  if (!report.found && report.namespacesRemoved.length === 0) {
    return `no lab in ${config.stateDir}: nothing to do`;
  }
  const lines = [`lab down in ${formatDuration(report.durationMs)}`];
  for (const stopped of report.stopped) {
    const how = stopped.outcome === 'killed' ? 'killed after SIGTERM timed out' : 'stopped';
    lines.push(
      `  ${pad(stopped.name, 25)}${how} (pid ${stopped.pid}, ${formatDuration(stopped.durationMs)})`,
    );
  }
  if (report.namespacesRemoved.length > 0) {
    lines.push(`  removed netns ${report.namespacesRemoved.join(', ')}`);
  }
  lines.push(`  removed the lab's files in ${config.stateDir}`);
  return lines.join('\n');
}

import {
  type DownReport,
  type EnsuredImage,
  formatDuration,
  LAB_NETWORK,
  type LabStatus,
  type NodeDownReport,
  type NodeReport,
  type NodeSettings,
  type NodeStatus,
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

export function formatImage(image: EnsuredImage): string {
  const { description } = image;
  const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
  return `Loom image: ${image.pinned} (${mb(description.compressedBytes)} compressed, ${mb(description.uncompressedBytes)} unpacked) in ${description.archive}`;
}

const CNI_TEXT: Record<NodeSettings['cni'], string> = {
  loom: 'loom (installed by loom install from the image: the loom-node DaemonSet)',
  bridge: 'bridge + host-local',
  none: 'none (a bare cluster: nodes stay NotReady until a CNI is installed, e.g. loom install)',
};

const POD_CIDRS_TEXT: Record<NodeSettings['podCidrs'], string> = {
  lab: '10.244.N.0/24 per nodeN',
  'controller-manager': 'from kube-controller-manager',
  loom: 'from loom-pod-cidr-allocator',
};

export function formatUpReport(report: UpReport): string {
  const { config } = report;
  const lines: string[] = [];
  if (report.alreadyUp) {
    lines.push(`lab is already up (state dir ${config.stateDir}); nothing to do`);
  } else {
    lines.push(`lab up in ${formatDuration(report.durationMs)} (state dir ${config.stateDir})`);
  }
  lines.push(`  ${formatBinaries(report.binaries)}`);
  if (report.image) lines.push(`  ${formatImage(report.image)}`);
  for (const component of report.components) {
    const time =
      component.action === 'kept' ? '' : `  ready in ${formatDuration(component.durationMs)}`;
    lines.push(
      `  ${pad(component.name, 25)}${pad(component.action === 'kept' ? 'running' : component.action, 11)}pid ${component.pid}${time}`,
    );
  }
  for (const node of report.nodes) lines.push(`  ${formatNodeReport(node)}`);
  if (report.install?.rollout) {
    lines.push(
      `  loom install: ${report.install.components.join(', ')} rolled out in ${formatDuration(report.install.rollout.elapsedMs)}`,
    );
  }
  const { nodeSettings } = report;
  if (nodeSettings.count > 0) {
    const remote =
      nodeSettings.remote > 0
        ? ` (the last ${nodeSettings.remote} on 192.168.2.0/24, behind netns ${config.netns.router})`
        : '';
    lines.push(
      `Nodes: ${nodeSettings.count}${remote}, CNI ${CNI_TEXT[nodeSettings.cni]}, podCIDRs ${POD_CIDRS_TEXT[nodeSettings.podCidrs]}`,
    );
  }
  lines.push(
    `API server: https://${LAB_NETWORK.controlPlaneIp}:${LAB_NETWORK.apiServerPort} in netns ${config.netns.controlPlane}; from this namespace: ${report.hostApiServer}`,
    `  export KUBECONFIG=${config.paths.hostKubeconfig}`,
    '  or: npx loom lab kubectl get nodes -o wide',
  );
  if (report.nodes.length > 0) lines.push('  and: npx loom lab exec node1 -- ip -br addr');
  return lines.join('\n');
}

function formatNodeReport(node: NodeReport): string {
  const state = node.action === 'kept' ? 'running' : node.action;
  const pids = `kubelet pid ${node.pids.kubelet}, runtime pid ${node.pids['lab-runtime']}`;
  const readiness = node.ready ? 'Ready' : 'NotReady';
  const time =
    node.action === 'kept' ? readiness : `${readiness} in ${formatDuration(node.durationMs)}`;
  return `${pad(`${node.name} ${node.ip}`, 25)}${pad(state, 11)}${pids}  ${time}`;
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
  if (status.nodes.length > 0) lines.push(...formatNodes(status));
  if (!status.exists) lines.push('(run: loom lab up)');
  return lines.join('\n');
}

function formatNodes(status: LabStatus): string[] {
  const lines = [
    `${pad('NODE', 9)}${pad('IP', 15)}${pad('KUBELET', 16)}${pad('RUNTIME', 16)}READY`,
  ];
  for (const node of status.nodes) {
    const proc = (p: NodeProcess | undefined) => (p?.running ? `running ${p.pid}` : 'stopped');
    lines.push(
      `${pad(node.name, 9)}${pad(node.ip, 15)}${pad(proc(processOf(node, 'kubelet')), 16)}${pad(proc(processOf(node, 'lab-runtime')), 16)}${readiness(node, status)}`,
    );
    if (!node.netnsExists) lines.push(`  netns ${node.netns} is missing`);
    if (!node.mountNamespaceExists) lines.push('  its mount namespace is missing');
    for (const process of node.processes) {
      if (process.running || !status.exists || !process.logTail) continue;
      lines.push(`  last lines of ${process.logFile}:`);
      for (const line of process.logTail.split('\n')) lines.push(`  | ${line}`);
    }
  }
  if (status.nodesUnknown) lines.push(`(readiness unknown: ${status.nodesUnknown})`);
  return lines;
}

type NodeProcess = NodeStatus['processes'][number];

function processOf(node: NodeStatus, name: NodeProcess['name']): NodeProcess | undefined {
  return node.processes.find((process) => process.name === name);
}

function readiness(node: NodeStatus, status: LabStatus): string {
  if (status.nodesUnknown) return '?';
  const condition = node.condition;
  if (!condition) return 'not registered';
  if (condition.ready) return 'Ready';
  return `NotReady${condition.reason ? ` (${condition.reason}${condition.message ? `: ${condition.message}` : ''})` : ''}`;
}

export function formatDownReport(report: DownReport): string {
  const { config } = report;
  if (!report.found && report.namespacesRemoved.length === 0) {
    return `no lab in ${config.stateDir}: nothing to do`;
  }
  const lines = [`lab down in ${formatDuration(report.durationMs)}`];
  for (const node of report.nodes) lines.push(`  ${formatNodeDown(node)}`);
  for (const stopped of report.stopped) {
    const how = stopped.outcome === 'killed' ? 'killed after SIGTERM timed out' : 'stopped';
    lines.push(
      `  ${pad(stopped.name, 25)}${how} (pid ${stopped.pid}, ${formatDuration(stopped.durationMs)})`,
    );
  }
  if (report.namespacesRemoved.length > 0) {
    lines.push(`  removed netns ${report.namespacesRemoved.join(', ')}`);
  }
  if (report.hostDirsRemoved.length > 0) {
    lines.push(`  removed the mount points ${report.hostDirsRemoved.join(', ')}`);
  }
  lines.push(`  removed the lab's files in ${config.stateDir}`);
  return lines.join('\n');
}

function formatNodeDown(node: NodeDownReport): string {
  const parts = node.stopped.map(
    (p) => `${p.outcome === 'killed' ? 'killed' : 'stopped'} ${p.name} (pid ${p.pid})`,
  );
  if (node.podNamespacesRemoved.length > 0) {
    parts.push(`removed ${node.podNamespacesRemoved.length} leftover pod netns`);
  }
  if (node.namespacesRemoved.length > 0)
    parts.push(`removed netns ${node.namespacesRemoved.join(', ')}`);
  if (node.killed.length > 0) parts.push(`killed ${node.killed.length} leftover processes`);
  if (node.warning) parts.push(`warning: ${node.warning}`);
  return `${pad(node.name, 25)}${parts.join(', ') || 'nothing running'}`;
}

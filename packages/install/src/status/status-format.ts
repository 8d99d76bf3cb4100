import type { LoomStatus } from './loom-status.ts';

/** Columns padded to their widest cell, two spaces apart (kubectl's table style). */
export function formatTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

/** `loom status` as text: components, nodes, cluster facts, then what is unhealthy. */
export function formatLoomStatus(status: LoomStatus): string {
  if (!status.installed)
    return `Loom is not installed.\n${status.problems.map((p) => `  ${p}`).join('\n')}`;
  const components = formatTable(
    ['COMPONENT', 'KIND', 'NAME', 'DESIRED', 'READY', 'UPDATED', 'AVAILABLE', 'VERSION', 'IMAGE'],
    status.components.map((c) => [
      c.component,
      c.kind,
      c.name,
      String(c.desired),
      String(c.ready),
      String(c.updated),
      String(c.available),
      c.version,
      c.image,
    ]),
  );
  const nodes = formatTable(
    ['NODE', 'READY', 'POD CIDR', 'LOOM-NODE POD', 'POD READY', 'RESTARTS', 'MODE', 'LAST ERROR'],
    status.nodes.map((n) => [
      n.node,
      n.nodeReady ? 'Ready' : 'NotReady',
      n.podCidrs.join(',') || '-',
      n.pod ?? '-',
      n.pod ? (n.podReady ? 'yes' : 'no') : '-',
      String(n.restarts),
      n.mode ?? '-',
      n.lastError ?? '',
    ]),
  );
  const config = status.config;
  const facts = [
    `  pod CIDR:      ${config['cluster-cidr'] ?? '(not set)'}`,
    `  service CIDR:  ${config['service-cidr'] ?? '(not set)'}`,
    `  node CIDR:     /${config['node-cidr-mask-size'] ?? '?'}`,
    `  API server:    ${config['api-server-host'] ? `${config['api-server-host']}:${config['api-server-port'] ?? '?'}` : 'the kubernetes Service (KUBERNETES_SERVICE_HOST)'}`,
    `  routing mode:  ${status.configuredMode ?? '?'} (configured); per node in MODE above`,
  ];
  const verdict = status.healthy
    ? ['Healthy.']
    : ['Unhealthy:', ...status.problems.map((p) => `  ${p}`)];
  return [...components, '', ...nodes, '', 'Cluster (loom-config):', ...facts, '', ...verdict].join(
    '\n',
  );
}

/** The routing mode a node's agent uses, read from its `loom_route_agent_routes` metric. */
export function routeModeFromMetrics(metricsText: string): string {
  const counts = { direct: 0, vxlan: 0 };
  for (const line of metricsText.split('\n')) {
    const match = /^loom_route_agent_routes\{([^}]*)\}\s+([0-9.eE+-]+)/.exec(line);
    if (!match) continue;
    const path = /path="([^"]*)"/.exec(match[1] ?? '')?.[1];
    if (path === 'direct' || path === 'vxlan') counts[path] += Number(match[2]);
  }
  if (counts.direct === 0 && counts.vxlan === 0) return 'no peers';
  if (counts.vxlan === 0) return 'direct';
  if (counts.direct === 0) return 'vxlan';
  return `mixed (${counts.direct} direct, ${counts.vxlan} vxlan)`;
}

interface ContainerSpec {
  args?: string[];
  command?: string[];
  env?: Array<{ name?: string; value?: string }>;
}

/** A flag's value in a container's command line (`--mode=vxlan`, `--mode vxlan`) or its
 * `LOOM_<FLAG>` variable, as core's flag parser reads them. */
export function containerFlag(container: ContainerSpec, flag: string): string | undefined {
  const argv = [...(container.command ?? []), ...(container.args ?? [])];
  for (const [i, arg] of argv.entries()) {
    if (arg.startsWith(`--${flag}=`)) return arg.slice(flag.length + 3);
    if (arg === `--${flag}`) return argv[i + 1];
  }
  const variable = `LOOM_${flag.toUpperCase().replaceAll('-', '_')}`;
  return container.env?.find((e) => e.name === variable)?.value;
}

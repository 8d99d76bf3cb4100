import { type Cidr, type FlagValues, parseFlags } from '@loom-net/core';
import { AGENT_FLAG_TABLE } from './agent-flag-specs.ts';
import type { RoutingMode } from './desired-routing.ts';

export interface AgentConfig {
  readonly nodeName: string;
  readonly kubeconfig?: string;
  readonly mode: RoutingMode;
  readonly clusterCidrs: readonly Cidr[];
  readonly resyncMs: number;
  readonly protocol: number;
  readonly vxlan: { readonly device: string; readonly vni: number; readonly port: number };
  readonly mtu?: number;
  readonly masquerade: boolean;
  readonly cni?: {
    readonly confDir: string;
    readonly confFile: string;
    readonly binDir: string;
    readonly pluginDir?: string;
    readonly installPlugins: boolean;
    readonly bridge: string;
    readonly ipamDataDir: string;
    readonly portmap: boolean;
  };
  readonly bridge: string;
  readonly healthPort: number;
  readonly healthAddress?: string;
  readonly logLevel?: string;
  readonly netns?: string;
}

/** The route agent's usage error is core's: every bad flag, each naming its variable; exit 2. */
export { FlagsError as AgentFlagsError } from '@loom-net/core';

export type ParsedFlags = { help: true } | { help: false; config: AgentConfig };

type AgentFlagValues = FlagValues<typeof AGENT_FLAG_TABLE.flags>;

/** Flags, then `LOOM_*` environment variables, then defaults; every problem is reported at once. */
export function parseAgentFlags(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): ParsedFlags {
  const parsed = parseFlags(AGENT_FLAG_TABLE, argv, env);
  return parsed.help ? parsed : { help: false, config: agentConfigOf(parsed.config) };
}

function agentConfigOf(flags: AgentFlagValues): AgentConfig {
  return {
    nodeName: flags['node-name'],
    kubeconfig: flags.kubeconfig,
    mode: flags.mode,
    clusterCidrs: flags['cluster-cidr'],
    resyncMs: flags['resync-period'],
    protocol: flags['route-protocol'],
    vxlan: { device: flags['vxlan-device'], vni: flags['vxlan-vni'], port: flags['vxlan-port'] },
    mtu: flags.mtu,
    masquerade: flags.masquerade,
    cni: flags['install-cni'] ? cniConfigOf(flags) : undefined,
    bridge: flags['cni-bridge'],
    healthPort: flags['health-port'],
    healthAddress: flags['health-address'],
    logLevel: flags['log-level'],
    netns: flags.netns,
  };
}

function cniConfigOf(flags: AgentFlagValues): AgentConfig['cni'] {
  return {
    confDir: flags['cni-conf-dir'],
    confFile: flags['cni-conf-file'],
    binDir: flags['cni-bin-dir'],
    pluginDir: flags['cni-plugin-dir'],
    installPlugins: flags['install-cni-plugins'],
    bridge: flags['cni-bridge'],
    ipamDataDir: flags['ipam-data-dir'],
    portmap: flags.portmap,
  };
}

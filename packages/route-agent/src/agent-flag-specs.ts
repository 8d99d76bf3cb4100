import { AGENT_DEFAULTS } from './agent-defaults.ts';

export interface FlagSpec {
  readonly name: string;
  readonly type: 'string' | 'boolean';
  readonly default?: string | boolean;
  /** Placeholder in the help text. */
  readonly arg?: string;
  readonly help: string;
}

/** Every flag, as data: the parser, `--help` and the README are written from this table.
 * Each `--some-flag` can also come from `LOOM_SOME_FLAG`; the flag wins. */
export const AGENT_FLAGS: readonly FlagSpec[] = [
  {
    name: 'node-name',
    type: 'string',
    arg: 'NAME',
    help: 'this Node (also NODE_NAME, as the downward API sets it); required',
  },
  {
    name: 'kubeconfig',
    type: 'string',
    arg: 'PATH',
    help: 'kubeconfig; default KUBECONFIG, in-cluster, ~/.kube/config',
  },
  {
    name: 'mode',
    type: 'string',
    default: 'auto',
    arg: 'MODE',
    help: 'auto (direct when the peer is on a connected subnet, else VXLAN), direct, vxlan',
  },
  {
    name: 'cluster-cidr',
    type: 'string',
    default: AGENT_DEFAULTS.clusterCidrs.join(','),
    arg: 'CIDRS',
    help: 'pod CIDR(s) of the cluster, comma-separated (dual-stack: one per family); traffic leaving them is masqueraded',
  },
  {
    name: 'resync-period',
    type: 'string',
    default: '30s',
    arg: 'DURATION',
    help: 're-read the kernel and repair drift this often (500ms, 30s, 2m)',
  },
  {
    name: 'route-protocol',
    type: 'string',
    default: String(AGENT_DEFAULTS.routeProtocol),
    arg: 'N',
    help: 'routing protocol id marking the routes the agent owns (5-255)',
  },
  {
    name: 'vxlan-device',
    type: 'string',
    default: AGENT_DEFAULTS.vxlanDevice,
    arg: 'NAME',
    help: 'VXLAN device name',
  },
  {
    name: 'vxlan-vni',
    type: 'string',
    default: String(AGENT_DEFAULTS.vxlanVni),
    arg: 'N',
    help: 'VXLAN network identifier',
  },
  {
    name: 'vxlan-port',
    type: 'string',
    default: String(AGENT_DEFAULTS.vxlanPort),
    arg: 'PORT',
    help: 'VXLAN UDP port (8472, as flannel)',
  },
  {
    name: 'mtu',
    type: 'string',
    arg: 'N',
    help: 'pod MTU in the CNI config; default the underlay MTU, less 50 (70 over IPv6) unless --mode=direct',
  },
  {
    name: 'masquerade',
    type: 'boolean',
    default: true,
    help: 'masquerade pod traffic leaving the cluster CIDR (--no-masquerade to disable)',
  },
  {
    name: 'install-cni',
    type: 'boolean',
    default: true,
    help: 'write the CNI conflist and copy the plugins (--no-install-cni to disable)',
  },
  {
    name: 'cni-conf-dir',
    type: 'string',
    default: AGENT_DEFAULTS.cniConfDir,
    arg: 'DIR',
    help: 'CNI config directory',
  },
  {
    name: 'cni-conf-file',
    type: 'string',
    default: AGENT_DEFAULTS.cniConfFile,
    arg: 'NAME',
    help: 'conflist file name in --cni-conf-dir',
  },
  {
    name: 'cni-bin-dir',
    type: 'string',
    default: AGENT_DEFAULTS.cniBinDir,
    arg: 'DIR',
    help: 'CNI plugin directory the runtime executes from',
  },
  {
    name: 'cni-plugin-dir',
    type: 'string',
    arg: 'DIR',
    help: 'where loom-cni and loom-ipam are copied from; default the dist/ of @loom-net/cni and @loom-net/ipam',
  },
  {
    name: 'install-cni-plugins',
    type: 'boolean',
    default: true,
    help: 'copy the plugin executables (--no-install-cni-plugins when something else installs them)',
  },
  {
    name: 'cni-bridge',
    type: 'string',
    default: AGENT_DEFAULTS.cniBridge,
    arg: 'NAME',
    help: 'bridge name in the CNI config',
  },
  {
    name: 'ipam-data-dir',
    type: 'string',
    default: AGENT_DEFAULTS.ipamDataDir,
    arg: 'DIR',
    help: "loom-ipam's state directory in the CNI config",
  },
  {
    name: 'portmap',
    type: 'boolean',
    default: false,
    help: 'chain the reference portmap plugin (hostPort); it must be in --cni-bin-dir',
  },
  {
    name: 'health-port',
    type: 'string',
    default: String(AGENT_DEFAULTS.healthPort),
    arg: 'PORT',
    help: '/healthz, /readyz, /metrics port (0 picks one)',
  },
  {
    name: 'health-address',
    type: 'string',
    arg: 'ADDR',
    help: 'address the health server binds; default all',
  },
  {
    name: 'log-level',
    type: 'string',
    arg: 'LEVEL',
    help: 'trace, debug, info, warn, error, fatal, silent (default info; also LOOM_LOG_LEVEL)',
  },
  {
    name: 'netns',
    type: 'string',
    arg: 'NAME',
    help: 'program this named network namespace instead of the current one',
  },
  { name: 'help', type: 'boolean', help: 'print this help' },
];

export function envName(flag: string): string {
  return `LOOM_${flag.toUpperCase().replaceAll('-', '_')}`;
}

/** `--help`. */
export function agentUsage(): string {
  const lines = AGENT_FLAGS.map((flag) => {
    const left = `  --${flag.name}${flag.arg ? ` ${flag.arg}` : ''}`;
    const fallback =
      flag.default === undefined || typeof flag.default === 'boolean'
        ? ''
        : ` (default ${flag.default})`;
    return `${left.padEnd(34)}${flag.help}${fallback}`;
  });
  return [
    'Usage: loom-route-agent --node-name NAME [flags]',
    '',
    "Keeps routes to every other node's pod CIDRs on this node, masquerades pod egress and",
    'installs the CNI config. Every flag can also be set as LOOM_<FLAG> (e.g. LOOM_MODE=vxlan).',
    '',
    ...lines,
    '',
  ].join('\n');
}

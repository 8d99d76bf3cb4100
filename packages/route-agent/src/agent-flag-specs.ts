import {
  defineFlagTable,
  flagUsage,
  healthAddressFlag,
  healthPortFlag,
  kubeconfigFlag,
  logLevelFlag,
} from '@loom-net/core';
import { AGENT_DEFAULTS } from './agent-defaults.ts';
import { ROUTING_MODES } from './desired-routing.ts';

/** Why `text` cannot name a network interface, or undefined when it can. */
export function interfaceNameProblem(text: string): string | undefined {
  // The kernel's IFNAMSIZ is 16, terminator included.
  if (/^[A-Za-z0-9_.-]{1,15}$/.test(text)) return undefined;
  return `${JSON.stringify(text)} is not an interface name (1-15 of A-Z a-z 0-9 _ . -)`;
}

/**
 * Every flag, as data: the parser, `--help` and the README's flag table are written from it
 * (`test/agent-flags.test.ts` keeps the README in step).
 */
export const AGENT_FLAG_TABLE = defineFlagTable({
  command: 'loom-route-agent',
  subject: 'route agent',
  synopsis: '--node-name NAME [flags]',
  description:
    "Keeps routes to every other node's pod CIDRs on this node, masquerades pod egress and\ninstalls the CNI config.",
  envPrefix: 'LOOM_',
  flags: {
    'node-name': {
      kind: 'string',
      arg: 'NAME',
      env: ['NODE_NAME'],
      required: true,
      help: 'this Node',
    },
    kubeconfig: kubeconfigFlag,
    mode: {
      kind: 'enum',
      arg: 'MODE',
      choices: ROUTING_MODES,
      default: 'auto',
      help: '`auto` (direct to a peer on a connected subnet, else VXLAN), `direct`, `vxlan`',
    },
    'cluster-cidr': {
      kind: 'cidrs',
      default: AGENT_DEFAULTS.clusterCidrs,
      help: "the cluster's pod CIDR(s), one per family; traffic leaving them is masqueraded",
    },
    'resync-period': {
      kind: 'duration',
      default: AGENT_DEFAULTS.resyncMs,
      min: 100,
      help: 're-read the kernel and repair drift this often',
    },
    'route-protocol': {
      kind: 'number',
      default: AGENT_DEFAULTS.routeProtocol,
      min: 5,
      max: 255,
      help: 'protocol id of the routes the agent owns, 5-255',
    },
    'vxlan-device': {
      kind: 'string',
      arg: 'NAME',
      default: AGENT_DEFAULTS.vxlanDevice,
      check: interfaceNameProblem,
      help: 'VXLAN device',
    },
    'vxlan-vni': {
      kind: 'number',
      default: AGENT_DEFAULTS.vxlanVni,
      min: 1,
      max: 16_777_215,
      help: 'VXLAN network identifier',
    },
    'vxlan-port': {
      kind: 'port',
      default: AGENT_DEFAULTS.vxlanPort,
      min: 1,
      help: "VXLAN UDP port, flannel's",
    },
    mtu: {
      kind: 'number',
      min: 576,
      max: 65_535,
      defaultText: "the underlay's, less the VXLAN overhead unless `--mode=direct`",
      help: 'pod MTU in the CNI config',
    },
    masquerade: {
      kind: 'boolean',
      default: true,
      help: 'masquerade pod egress leaving the cluster CIDR; off removes the table',
    },
    'install-cni': {
      kind: 'boolean',
      default: true,
      help: 'write the CNI conflist and copy the plugins',
    },
    'cni-conf-dir': {
      kind: 'string',
      arg: 'DIR',
      default: AGENT_DEFAULTS.cniConfDir,
      help: 'CNI config directory',
    },
    'cni-conf-file': {
      kind: 'string',
      arg: 'NAME',
      default: AGENT_DEFAULTS.cniConfFile,
      help: 'conflist file name in `--cni-conf-dir`',
    },
    'cni-bin-dir': {
      kind: 'string',
      arg: 'DIR',
      default: AGENT_DEFAULTS.cniBinDir,
      help: 'where the runtime executes CNI plugins from',
    },
    'cni-plugin-dir': {
      kind: 'string',
      arg: 'DIR',
      defaultText: "the packages' `dist/`",
      help: 'where `loom-cni` and `loom-ipam` are copied from',
    },
    'install-cni-plugins': {
      kind: 'boolean',
      default: true,
      help: 'copy the plugin executables; off when something else (`loom-cni-install`) installs them',
    },
    'cni-bridge': {
      kind: 'string',
      arg: 'NAME',
      default: AGENT_DEFAULTS.cniBridge,
      check: interfaceNameProblem,
      help: 'bridge name in the CNI config',
    },
    'ipam-data-dir': {
      kind: 'string',
      arg: 'DIR',
      default: AGENT_DEFAULTS.ipamDataDir,
      help: "loom-ipam's state directory in the CNI config",
    },
    portmap: {
      kind: 'boolean',
      default: false,
      help: 'chain the reference `portmap` plugin (hostPort), which must be in `--cni-bin-dir`',
    },
    'health-port': healthPortFlag(AGENT_DEFAULTS.healthPort),
    'health-address': healthAddressFlag,
    'log-level': logLevelFlag,
    netns: {
      kind: 'string',
      arg: 'NAME',
      help: 'program this named network namespace instead of the current one',
    },
  },
});

/** `--help`. */
export function agentUsage(): string {
  return flagUsage(AGENT_FLAG_TABLE);
}

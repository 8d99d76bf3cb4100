import { defineFlagTable, type FlagValues, logLevelFlag, parseFlags } from '@loom-net/core';
import { interfaceNameProblem } from './agent-flag-specs.ts';
import { NODE_CLEANUP_DEFAULTS } from './node-cleanup.ts';

/** Where the cleanup pod marks itself done; an emptyDir, since the image's root is read-only. */
export const DEFAULT_DONE_FILE = '/run/loom-node-cleanup/done';

/** The cleanup's flags, as data (parser and `--help`); defaults are the agent's own. */
export const NODE_CLEANUP_FLAG_TABLE = defineFlagTable({
  command: 'loom-node-cleanup',
  subject: 'node cleanup',
  synopsis: '[flags]',
  description:
    "Removes what Loom put on this node: routes with Loom's protocol, the VXLAN device, Loom's\nnft tables, the CNI bridge (when no pod is left on it), the conflist, the plugin files and\nIPAM state. Safe to run again.",
  envPrefix: 'LOOM_',
  flags: {
    'route-protocol': {
      kind: 'number',
      default: NODE_CLEANUP_DEFAULTS.routeProtocol,
      min: 5,
      max: 255,
      help: "protocol id of the routes to delete (the agent's `--route-protocol`)",
    },
    'vxlan-device': {
      kind: 'string',
      arg: 'NAME',
      default: NODE_CLEANUP_DEFAULTS.vxlanDevice,
      check: interfaceNameProblem,
      help: 'VXLAN device to delete',
    },
    'nft-table': {
      kind: 'repeatable',
      arg: 'NAME',
      default: NODE_CLEANUP_DEFAULTS.nftTables,
      help: 'inet table to delete (repeat for several)',
    },
    'cni-bridge': {
      kind: 'string',
      arg: 'NAME',
      default: NODE_CLEANUP_DEFAULTS.bridge,
      check: interfaceNameProblem,
      help: 'CNI bridge to delete once no pod is left on it',
    },
    'cni-conflist': {
      kind: 'string',
      arg: 'PATH',
      default: NODE_CLEANUP_DEFAULTS.conflistPath,
      help: 'the conflist the agent wrote',
    },
    'cni-bin-dir': {
      kind: 'string',
      arg: 'DIR',
      default: NODE_CLEANUP_DEFAULTS.binDir,
      help: '`loom-cni`, `loom-ipam` and `loom-node` are deleted from it',
    },
    'ipam-data-dir': {
      kind: 'string',
      arg: 'DIR',
      default: NODE_CLEANUP_DEFAULTS.ipamDataDir,
      help: "loom-ipam's state, deleted with the bridge",
    },
    'done-file': {
      kind: 'string',
      arg: 'PATH',
      default: DEFAULT_DONE_FILE,
      help: 'written once the node is clean (with `--stay`), read by `--check`',
    },
    stay: {
      kind: 'boolean',
      default: false,
      help: 'after cleaning, write `--done-file` and wait for SIGTERM (a DaemonSet pod)',
    },
    check: {
      kind: 'boolean',
      default: false,
      help: 'only exit 0 when `--done-file` exists (the readiness probe), else 1',
    },
    'log-level': logLevelFlag,
    netns: {
      kind: 'string',
      arg: 'NAME',
      help: 'clean this named network namespace instead of the current one',
    },
  },
});

export type NodeCleanupFlags = FlagValues<typeof NODE_CLEANUP_FLAG_TABLE.flags>;

/** Flags, then `LOOM_*` variables, then defaults; throws core's FlagsError naming each problem. */
export function parseNodeCleanupFlags(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): { help: true } | { help: false; config: NodeCleanupFlags } {
  return parseFlags(NODE_CLEANUP_FLAG_TABLE, argv, env);
}

import {
  defineFlagTable,
  type FlagValues,
  flagUsage,
  logLevelFlag,
  parseFlags,
} from '@loom-net/core';
import { AGENT_DEFAULTS } from './agent-defaults.ts';
import { PLUGIN_PACKAGES } from './cni-install.ts';

/** Where the image keeps what the init container installs (the image build's layout). */
export const IMAGE_PATHS = {
  node: '/usr/local/bin/node',
  bundleDir: '/opt/loom/bin',
} as const;

/**
 * Every flag of `loom-cni-install`, as data: the parser, `--help` and the README's flag table
 * are written from it (`test/cni-install-flags.test.ts` keeps the README in step).
 */
export const CNI_INSTALL_FLAG_TABLE = defineFlagTable({
  command: 'loom-cni-install',
  subject: 'CNI install',
  synopsis: '[flags]',
  description: `Installs Node as loom-node and the ${PLUGIN_PACKAGES.map((p) => p.name).join(' and ')} bundles into the host's CNI
bin dir (the DaemonSet's init container), atomically, skipping files that already match.`,
  envPrefix: 'LOOM_',
  flags: {
    'host-bin-dir': {
      kind: 'string',
      arg: 'DIR',
      default: `/host${AGENT_DEFAULTS.cniBinDir}`,
      help: "the host's CNI bin dir as mounted in this container; files are written here",
    },
    'cni-bin-dir': {
      kind: 'string',
      arg: 'DIR',
      default: AGENT_DEFAULTS.cniBinDir,
      help: "the same directory as the host sees it: the plugins' `#!` line names `<DIR>/loom-node`",
    },
    node: {
      kind: 'string',
      arg: 'PATH',
      default: IMAGE_PATHS.node,
      help: 'the Node executable to install as `loom-node`',
    },
    'bundle-dir': {
      kind: 'string',
      arg: 'DIR',
      default: IMAGE_PATHS.bundleDir,
      help: 'where the `loom-cni` and `loom-ipam` bundles are read from',
    },
    'log-level': logLevelFlag,
  },
});

export interface CniInstallConfig {
  readonly hostBinDir: string;
  readonly cniBinDir: string;
  readonly node: string;
  readonly bundleDir: string;
  readonly logLevel: string;
}

/** The usage error is core's: every bad flag, each naming its variable; exit 2. */
export { FlagsError as CniInstallFlagsError } from '@loom-net/core';

type CniInstallFlagValues = FlagValues<typeof CNI_INSTALL_FLAG_TABLE.flags>;

/** Flags, then `LOOM_*` variables, then defaults; every problem is reported at once. */
export function parseCniInstallFlags(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): { help: true } | { help: false; config: CniInstallConfig } {
  const parsed = parseFlags(CNI_INSTALL_FLAG_TABLE, argv, env, absolutePathProblems);
  if (parsed.help) return parsed;
  const flags = parsed.config;
  return {
    help: false,
    config: {
      hostBinDir: flags['host-bin-dir'],
      cniBinDir: flags['cni-bin-dir'],
      node: flags.node,
      bundleDir: flags['bundle-dir'],
      logLevel: flags['log-level'],
    },
  };
}

// Relative paths would resolve against the container's working directory, and a relative
// `#!` line does not work at all.
function absolutePathProblems(flags: CniInstallFlagValues): string[] {
  const paths = ['host-bin-dir', 'cni-bin-dir', 'node', 'bundle-dir'] as const;
  return paths
    .filter((name) => !flags[name].startsWith('/'))
    .map(
      (name) =>
        `--${name} (or LOOM_${name.toUpperCase().replaceAll('-', '_')}): ${JSON.stringify(flags[name])} is not an absolute path`,
    );
}

/** `--help`. */
export function cniInstallUsage(): string {
  return flagUsage(CNI_INSTALL_FLAG_TABLE);
}

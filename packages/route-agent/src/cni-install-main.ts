#!/usr/bin/env -S node --conditions=loom-source
import { createLogger, parseDaemonFlags } from '@loom-net/core';
import {
  CniInstallFlagsError,
  cniInstallUsage,
  parseCniInstallFlags,
} from './cni-install-flags.ts';
import { installHostCni } from './host-cni-install.ts';
import { InstallFileError } from './install-file.ts';

// The DaemonSet's init container: runs once per pod start, installs, exits. Exit 1 with one
// clear line on a missing source or an unwritable directory, so the kubelet's CrashLoopBackOff
// and `kubectl logs -c install-cni` say what is wrong.
const config = parseDaemonFlags({
  command: 'loom-cni-install',
  parse: () => parseCniInstallFlags(process.argv.slice(2), process.env),
  usage: cniInstallUsage,
  isUsageError: (error) => error instanceof CniInstallFlagsError,
});
const logger = createLogger({ component: 'cni-install', level: config.logLevel });
const started = performance.now();
try {
  const outcomes = await installHostCni(config, (outcome, source) =>
    logger.info(
      {
        file: outcome.target,
        source,
        action: outcome.action,
        bytes: outcome.digest.size,
        sha256: outcome.digest.sha256,
      },
      outcome.action === 'copied' ? 'installed' : 'already installed',
    ),
  );
  logger.info(
    {
      hostBinDir: config.hostBinDir,
      copied: outcomes.filter((o) => o.action === 'copied').length,
      unchanged: outcomes.filter((o) => o.action === 'unchanged').length,
      ms: Math.round(performance.now() - started),
    },
    'CNI executables installed',
  );
} catch (error) {
  if (!(error instanceof InstallFileError)) throw error;
  console.error(`loom-cni-install: ${error.message}`);
  process.exitCode = 1;
}

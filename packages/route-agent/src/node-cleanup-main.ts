#!/usr/bin/env -S node --conditions=loom-source
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  createCommandRunner,
  createLogger,
  flagUsage,
  onShutdown,
  parseDaemonFlags,
  runDaemon,
  writeFileAtomic,
} from '@loom-net/core';
import { cleanNode, describeCleanup } from './node-cleanup.ts';
import { NODE_CLEANUP_FLAG_TABLE, parseNodeCleanupFlags } from './node-cleanup-flags.ts';

const flags = parseDaemonFlags({
  command: 'loom-node-cleanup',
  parse: () => parseNodeCleanupFlags(process.argv.slice(2), process.env),
  usage: () => flagUsage(NODE_CLEANUP_FLAG_TABLE),
});

// The readiness probe: cheap, no logger, no kernel command.
if (flags.check) process.exit(existsSync(flags['done-file']) ? 0 : 1);

const logger = createLogger({ component: 'node-cleanup', level: flags['log-level'] });
const report = await cleanNode({
  runner: createCommandRunner(),
  netns: flags.netns,
  routeProtocol: flags['route-protocol'],
  vxlanDevice: flags['vxlan-device'],
  nftTables: flags['nft-table'],
  bridge: flags['cni-bridge'],
  conflistPath: flags['cni-conflist'],
  binDir: flags['cni-bin-dir'],
  binFiles: ['loom-cni', 'loom-ipam', 'loom-node'],
  ipamDataDir: flags['ipam-data-dir'],
}).catch((error: unknown) => {
  // The pod then crash-loops with this line last in its log, which `loom uninstall` shows.
  logger.error({ err: error }, `node cleanup failed: ${(error as Error).message}`);
  logger.flush();
  process.exit(1);
});
// `loom uninstall` finds this line by its message and prints `summary` per node.
logger.info({ report, summary: describeCleanup(report) }, 'node cleaned');

if (flags.stay) {
  await mkdir(dirname(flags['done-file']), { recursive: true });
  await writeFileAtomic(flags['done-file'], `${JSON.stringify(report)}\n`);
  // Stay up (Ready) until the DaemonSet is deleted: a container that exits gets restarted.
  const keepAlive = setInterval(() => {}, 1 << 30);
  await runDaemon({ logger, start: () => onShutdown(() => clearInterval(keepAlive)) });
}

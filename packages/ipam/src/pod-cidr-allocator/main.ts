#!/usr/bin/env -S node --conditions=loom-source
import {
  createKubeClient,
  createLogger,
  createMetricsRegistry,
  loadKubeConfig,
  onShutdown,
  runDaemon,
  startHealthServer,
} from '@loom-net/core';
import {
  type AllocatorConfig,
  AllocatorFlagsError,
  allocatorUsage,
  parseAllocatorFlags,
} from './allocator-flags.ts';
import { createPodCidrAllocator } from './pod-cidr-allocator.ts';

function readConfig(): AllocatorConfig {
  try {
    const parsed = parseAllocatorFlags(process.argv.slice(2), process.env);
    if (parsed.help) {
      process.stdout.write(allocatorUsage());
      process.exit(0);
    }
    return parsed.config;
  } catch (error) {
    if (!(error instanceof AllocatorFlagsError)) throw error;
    console.error(`${error.message}\nRun with --help for the flags.`);
    process.exit(2);
  }
}

const config = readConfig();
const logger = createLogger({ component: 'pod-cidr-allocator', level: config.logLevel });
const metrics = createMetricsRegistry('loom_pod_cidr_allocator');
const client = createKubeClient(loadKubeConfig({ path: config.kubeconfig }), {
  userAgent: 'loom-pod-cidr-allocator/0.1',
});
const allocator = createPodCidrAllocator({
  client,
  pools: config.pools,
  identity: config.identity,
  leaseNamespace: config.leaseNamespace,
  leaseName: config.leaseName,
  logger,
  metrics,
});

await runDaemon({
  logger,
  async start() {
    const health = await startHealthServer({
      port: config.healthPort,
      host: config.healthAddress,
      registry: metrics,
      checks: allocator.checks,
      logger,
    });
    onShutdown(() => health.close());
    onShutdown(() => client.close());
    logger.info({ identity: config.identity, url: health.url }, 'starting');
    allocator.start();
  },
  stop: () => allocator.stop(),
});

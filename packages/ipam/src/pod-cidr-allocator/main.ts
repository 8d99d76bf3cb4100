#!/usr/bin/env -S node --conditions=loom-source
import {
  createLogger,
  createMetricsRegistry,
  daemonKubeClient,
  onShutdown,
  parseDaemonFlags,
  runDaemon,
  startHealthServer,
} from '@loom-net/core';
import { AllocatorFlagsError, allocatorUsage, parseAllocatorFlags } from './allocator-flags.ts';
import { createPodCidrAllocator } from './pod-cidr-allocator.ts';

const config = parseDaemonFlags({
  command: 'loom-pod-cidr-allocator',
  parse: () => parseAllocatorFlags(process.argv.slice(2), process.env),
  usage: allocatorUsage,
  isUsageError: (error) => error instanceof AllocatorFlagsError,
});
const logger = createLogger({ component: 'pod-cidr-allocator', level: config.logLevel });
const metrics = createMetricsRegistry('loom_pod_cidr_allocator');
const client = daemonKubeClient({
  command: 'loom-pod-cidr-allocator',
  kubeconfig: config.kubeconfig,
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

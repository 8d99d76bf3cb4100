#!/usr/bin/env -S node --conditions=loom-source
import {
  createCommandRunner,
  createLogger,
  createMetricsRegistry,
  daemonKubeClient,
  onShutdown,
  parseDaemonFlags,
  runDaemon,
  startHealthServer,
} from '@loom-net/core';
import { AGENT_DEFAULTS } from './agent-defaults.ts';
import { agentUsage } from './agent-flag-specs.ts';
import { type AgentConfig, AgentFlagsError, parseAgentFlags } from './agent-flags.ts';
import { packagedPluginSources, pluginSourcesIn } from './cni-install.ts';
import { type AgentNodeSetup, createRouteAgent } from './route-agent.ts';

function nodeSetupOf(config: AgentConfig): AgentNodeSetup {
  const cni = config.cni;
  return {
    clusterCidrs: config.clusterCidrs,
    masquerade: config.masquerade,
    nftTable: AGENT_DEFAULTS.nftTable,
    mtu: config.mtu,
    cni: cni && {
      confPath: `${cni.confDir}/${cni.confFile}`,
      binDir: cni.binDir,
      plugins: !cni.installPlugins
        ? []
        : cni.pluginDir
          ? pluginSourcesIn(cni.pluginDir)
          : packagedPluginSources(),
      bridge: cni.bridge,
      networkName: AGENT_DEFAULTS.cniNetworkName,
      ipamDataDir: cni.ipamDataDir,
      portmap: cni.portmap,
    },
  };
}

const config = parseDaemonFlags({
  command: 'loom-route-agent',
  parse: () => parseAgentFlags(process.argv.slice(2), process.env),
  usage: agentUsage,
  isUsageError: (error) => error instanceof AgentFlagsError,
});
const logger = createLogger({ component: 'route-agent', level: config.logLevel });
const metrics = createMetricsRegistry('loom_route_agent');
const client = daemonKubeClient({
  command: 'loom-route-agent',
  kubeconfig: config.kubeconfig,
  userAgent: 'loom-route-agent/0.1',
});
const agent = createRouteAgent({
  client,
  nodeName: config.nodeName,
  runner: createCommandRunner(),
  netns: config.netns,
  mode: config.mode,
  resyncMs: config.resyncMs,
  protocol: config.protocol,
  vxlan: config.vxlan,
  bridge: config.bridge,
  setup: nodeSetupOf(config),
  logger,
  metrics,
});

await runDaemon({
  logger,
  async start() {
    logger.info({ node: config.nodeName, mode: config.mode, server: client.server }, 'starting');
    const health = await startHealthServer({
      port: config.healthPort,
      host: config.healthAddress,
      registry: metrics,
      checks: agent.checks,
      logger,
    });
    logger.info({ url: health.url }, 'health server listening');
    onShutdown(() => health.close());
    onShutdown(() => client.close());
    await agent.start();
  },
  stop: () => agent.stop(),
});

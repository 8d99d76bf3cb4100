export { AGENT_DEFAULTS, VXLAN_OVERHEAD } from './agent-defaults.ts';
export { AGENT_FLAG_TABLE, agentUsage, interfaceNameProblem } from './agent-flag-specs.ts';
export {
  type AgentConfig,
  AgentFlagsError,
  type ParsedFlags,
  parseAgentFlags,
} from './agent-flags.ts';
export { type AgentHealthInput, agentHealthChecks } from './agent-health.ts';
export { type AgentMetrics, createAgentMetrics } from './agent-metrics.ts';
export type { AgentStatus } from './agent-status.ts';
export { type Claim, type ClaimIndex, createClaimIndex } from './cidr-claims.ts';
export { type CniConflistOptions, renderCniConflist } from './cni-conflist.ts';
export {
  createPluginInstaller,
  installConflist,
  PLUGIN_PACKAGES,
  type PluginSource,
  packagedPluginSources,
  pluginSourcesIn,
} from './cni-install.ts';
export {
  CNI_INSTALL_FLAG_TABLE,
  type CniInstallConfig,
  CniInstallFlagsError,
  cniInstallUsage,
  IMAGE_PATHS,
  parseCniInstallFlags,
} from './cni-install-flags.ts';
export {
  type DesiredRoute,
  type DesiredRouting,
  type DesiredVxlan,
  desiredRouting,
  type NodeRouting,
  ROUTING_MODES,
  type RoutePath,
  type RoutingInput,
  type RoutingMode,
  type VxlanPeer,
  type VxlanSettings,
} from './desired-routing.ts';
export { type ChunkRewrite, rewriteFirstLine } from './first-line-rewrite.ts';
export {
  HOST_NODE_NAME,
  type HostCniInstallOptions,
  hostCniFiles,
  installHostCni,
} from './host-cni-install.ts';
export {
  connectedSubnets,
  type HostInterfaces,
  type InterfaceAddress,
  isConnected,
  readHostInterfaces,
  underlayOf,
} from './host-interfaces.ts';
export {
  digestFile,
  type FileDigest,
  InstallFileError,
  type InstallFileOptions,
  type InstallFileOutcome,
  installFile,
} from './install-file.ts';
export {
  type FdbEntry,
  type KernelRoute,
  type KernelState,
  type Neighbour,
  parseFdb,
  parseKernelRoutes,
  parseNeighbours,
  type VxlanLink,
  vxlanLinkOf,
} from './kernel-state.ts';
export { renderMasqueradeRuleset } from './masquerade-ruleset.ts';
export { createMasqueradeTable, type MasqueradeOutcome } from './masquerade-table.ts';
export {
  type CniSetupOptions,
  type ConflistOutcome,
  createNodeSetup,
  type NodeSetup,
  type NodeSetupOptions,
  type NodeSetupOutcome,
} from './node-setup.ts';
export {
  createNodeViewCache,
  internalIpOf,
  type NodeView,
  nodeViewOf,
  routingFingerprint,
} from './node-view.ts';
export {
  type AgentNodeSetup,
  createRouteAgent,
  type RouteAgent,
  type RouteAgentOptions,
} from './route-agent.ts';
export {
  createRouteApplier,
  type RouteApplier,
  type RouteApplierOptions,
} from './route-applier.ts';
export {
  type PlanOptions,
  planRouteChanges,
  type RouteConflict,
  type RoutePlan,
} from './route-plan.ts';
export {
  createRouteReconciler,
  type RouteReconciler,
  type RouteReconcilerOptions,
  type RoutesOutcome,
} from './route-reconciler.ts';
export { vtepAddress, vtepMac } from './vtep.ts';

export { getOptional } from './cluster/kube-calls.ts';
export type { ManifestObject } from './cluster/manifest-object.ts';
export type { ApiServerAddress } from './discovery/api-server-source.ts';
export { hostPortOf } from './discovery/api-server-source.ts';
export type { ClusterFacts, DiscoveryOverrides } from './discovery/cluster-discovery.ts';
export { discoverCluster } from './discovery/cluster-discovery.ts';
export type { DiscoveredFact } from './discovery/discovered-fact.ts';
export type { AppliedObject, ApplyOutcome } from './install/apply-objects.ts';
export {
  formatFacts,
  formatInstallSummary,
  formatObjectsYaml,
  formatPreflight,
} from './install/install-format.ts';
export type { DryRunMode, InstallOptions, InstallReport } from './install/install-loom.ts';
export { installLoom } from './install/install-loom.ts';
export type { WorkloadRollout } from './install/rollout-status.ts';
export type { ExplainedProblem, RolloutOutcome } from './install/rollout-wait.ts';
export { DEFAULT_IMAGE, LOOM_VERSION } from './loom-version.ts';
export type { PreflightCheck, Verdict } from './preflight/preflight-checks.ts';
export type { StatusOptions } from './status/gather-status.ts';
export { loomStatus } from './status/gather-status.ts';
export type { ComponentRow, LoomStatus, NodeRow } from './status/loom-status.ts';
export { formatLoomStatus } from './status/status-format.ts';
export { cleanupDaemonSet } from './uninstall/cleanup-daemonset.ts';
export { findLoomObjects } from './uninstall/loom-objects.ts';
export { formatUninstallReport } from './uninstall/uninstall-format.ts';
export type { NodeCleanup, UninstallOptions, UninstallReport } from './uninstall/uninstall-loom.ts';
export { uninstallLoom } from './uninstall/uninstall-loom.ts';

export type { BinaryOptions, ResolvedBinaries } from './build/binaries.ts';
export { binaryPath, ensureBinaries, k8sCacheDir, missingBinaries } from './build/binaries.ts';
export { planBuild } from './build/build-plan.ts';
export { renderBuildGoMod, stagingModules } from './build/go-mod.ts';
export { kubernetesLdflags } from './build/ldflags.ts';
export type { LabBinary } from './build/versions.ts';
export {
  CRI_TOOLS_VERSION,
  ETCD_VERSION,
  KUBERNETES_VERSION,
  LAB_BINARIES,
} from './build/versions.ts';
export type { ComponentStatus } from './components/component-runner.ts';
export type { ComponentName } from './components/component-table.ts';
export { COMPONENTS } from './components/component-table.ts';
export type { LabErrorCode } from './errors.ts';
export { isLabError, LabError } from './errors.ts';
export { compactEtcd, etcdRevision } from './etcd/etcd-maintenance.ts';
export { formatDuration } from './format-duration.ts';
export type { LabConfig, LabOptions, LabPaths } from './lab-config.ts';
export {
  DEFAULT_HOST_API_PORT,
  DEFAULT_PREFIX,
  DEFAULT_STATE_DIR,
  resolveLabConfig,
} from './lab-config.ts';
export type { DownOptions, DownReport } from './lab-down.ts';
export { labDown } from './lab-down.ts';
export type { KubectlOptions, KubectlResult } from './lab-kubectl.ts';
export { kubectlArgv, runKubectl } from './lab-kubectl.ts';
export type { LabStatus, StatusOptions } from './lab-status.ts';
export { labStatus } from './lab-status.ts';
export type { ComponentReport, UpOptions, UpReport } from './lab-up.ts';
export { labUp } from './lab-up.ts';
export { LAB_NETWORK } from './network-plan.ts';
export type { TestControlPlane } from './test-control-plane.ts';
export { labKubeConfig, labSkipReason, startTestControlPlane } from './test-control-plane.ts';

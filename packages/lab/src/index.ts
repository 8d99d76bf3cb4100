// The runtime every lab node runs (what `kubectl get nodes -o wide` shows as CONTAINER-RUNTIME).
export { RUNTIME_NAME, RUNTIME_VERSION } from '@loom-net/lab-runtime';
export { k8sCacheDir } from '@loom-net/lab-runtime/lab-binaries';
export type { BinaryOptions, ResolvedBinaries } from './build/binaries.ts';
export { binaryPath, ensureBinaries, missingBinaries } from './build/binaries.ts';
export { planBuild } from './build/build-plan.ts';
export { formatDuration } from './build/format-duration.ts';
export { renderBuildGoMod, stagingModules } from './build/go-mod.ts';
export { type EnsuredImage, ensureLabImage } from './build/lab-image.ts';
export { kubernetesLdflags } from './build/ldflags.ts';
export type { LabBinary } from './build/versions.ts';
export {
  CRI_TOOLS_VERSION,
  ETCD_VERSION,
  KUBERNETES_VERSION,
  LAB_BINARIES,
} from './build/versions.ts';
export type { DownOptions, DownReport } from './commands/lab-down.ts';
export { labDown } from './commands/lab-down.ts';
export type { ExecOptions, ExecResult, ExecTarget } from './commands/lab-exec.ts';
export { execArgv, labExec, readySandbox, resolveExecTarget } from './commands/lab-exec.ts';
export type { KubectlOptions, KubectlResult } from './commands/lab-kubectl.ts';
export { kubectlArgv, runKubectl } from './commands/lab-kubectl.ts';
export type { LabStatus, StatusOptions } from './commands/lab-status.ts';
export { labStatus } from './commands/lab-status.ts';
export type { StopTarget } from './commands/lab-stop.ts';
export { labStop } from './commands/lab-stop.ts';
export type { ComponentReport, UpOptions, UpReport } from './commands/lab-up.ts';
export { labUp } from './commands/lab-up.ts';
export type { ComponentStatus } from './components/component-runner.ts';
export type { ComponentName } from './components/component-table.ts';
export { COMPONENTS } from './components/component-table.ts';
export type { LabCni, LabConfig, LabOptions, LabPaths, PodCidrMode } from './config/lab-config.ts';
export {
  DEFAULT_HOST_API_PORT,
  DEFAULT_NODE_COUNT,
  DEFAULT_PREFIX,
  DEFAULT_STATE_DIR,
  LAB_CNI_CHOICES,
  MAX_NODE_COUNT,
  POD_CIDR_MODES,
  resolveLabConfig,
} from './config/lab-config.ts';
export { LAB_NETWORK, nodeIp, nodeName, nodePodCidr } from './config/network-plan.ts';
export type { NodePlacement, NodeSettings } from './config/node-settings.ts';
export type { LabErrorCode } from './errors.ts';
export { isLabError, LabError } from './errors.ts';
export { compactEtcd, etcdRevision } from './etcd/etcd-maintenance.ts';
export {
  BRIDGE_CONFLIST,
  BRIDGE_NETWORK_NAME,
  LOOM_CONFLIST,
  LOOM_IPAM_DATABASE,
  LOOM_NETWORK_NAME,
} from './nodes/node-cni.ts';
export type { NodeDownReport } from './nodes/node-down.ts';
export type { NodeCondition } from './nodes/node-objects.ts';
export type { NodePlan } from './nodes/node-plan.ts';
export { NODE_MOUNT_PATHS, planNode, planNodes } from './nodes/node-plan.ts';
export type { NodeProcessName } from './nodes/node-processes.ts';
export {
  NODE_PROCESSES,
  nodeProcessFiles,
  nodeProcessPid,
} from './nodes/node-processes.ts';
export type { NodeProcessStatus, NodeStatus } from './nodes/node-status.ts';
export type { NodeReport } from './nodes/node-up.ts';
export type { LabState } from './state/lab-state.ts';
export { readLabState } from './state/lab-state.ts';
export type { TestControlPlane } from './testing/test-control-plane.ts';
export {
  labKubeConfig,
  labSkipReason,
  startTestControlPlane,
} from './testing/test-control-plane.ts';

// The runtime every lab node runs (what `kubectl get nodes -o wide` shows as CONTAINER-RUNTIME).
export { RUNTIME_NAME, RUNTIME_VERSION } from '@loom-net/lab-runtime';
export { k8sCacheDir } from '@loom-net/lab-runtime/lab-binaries';
export type { BinaryOptions, ResolvedBinaries } from './build/binaries.ts';
export { binaryPath, ensureBinaries, missingBinaries } from './build/binaries.ts';
export { planBuild } from './build/build-plan.ts';
export type { CniPluginName, ResolvedCniPlugins } from './build/cni-plugins.ts';
export { CNI_PLUGINS, ensureCniPlugins } from './build/cni-plugins.ts';
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
export type { LabCni, LabConfig, LabOptions, LabPaths, PodCidrMode } from './lab-config.ts';
export {
  DEFAULT_HOST_API_PORT,
  DEFAULT_NODE_COUNT,
  DEFAULT_PREFIX,
  DEFAULT_STATE_DIR,
  LAB_CNI_CHOICES,
  MAX_NODE_COUNT,
  POD_CIDR_MODES,
  resolveLabConfig,
} from './lab-config.ts';
export type { DownOptions, DownReport } from './lab-down.ts';
export { labDown } from './lab-down.ts';
export type { ExecOptions, ExecResult, ExecTarget } from './lab-exec.ts';
export { execArgv, labExec, readySandbox, resolveExecTarget } from './lab-exec.ts';
export type { KubectlOptions, KubectlResult } from './lab-kubectl.ts';
export { kubectlArgv, runKubectl } from './lab-kubectl.ts';
export type { LabStatus, StatusOptions } from './lab-status.ts';
export { labStatus } from './lab-status.ts';
export type { StopTarget } from './lab-stop.ts';
export { labStop } from './lab-stop.ts';
export type { ComponentReport, UpOptions, UpReport } from './lab-up.ts';
export { labUp } from './lab-up.ts';
export { LAB_NETWORK, nodeIp, nodeName, nodePodCidr } from './network-plan.ts';
export {
  BRIDGE_CONFLIST,
  BRIDGE_NETWORK_NAME,
  LOOM_CONFLIST,
  LOOM_IPAM_DATABASE,
  LOOM_NETWORK_NAME,
} from './nodes/node-cni.ts';
export type { NodeDownReport } from './nodes/node-down.ts';
export type { NodeCondition } from './nodes/node-objects.ts';
export type { NodePlacement, NodePlan, NodeSettings } from './nodes/node-plan.ts';
export { NODE_MOUNT_PATHS, planNode, planNodes } from './nodes/node-plan.ts';
export type { NodeProcessName } from './nodes/node-processes.ts';
export {
  NODE_PROCESSES,
  nodeProcessesFor,
  nodeProcessFiles,
  nodeProcessPid,
} from './nodes/node-processes.ts';
export type { NodeProcessStatus, NodeStatus } from './nodes/node-status.ts';
export type { NodeReport } from './nodes/node-up.ts';
export type { LabState } from './state/lab-state.ts';
export { readLabState } from './state/lab-state.ts';
export type { TestControlPlane } from './test-control-plane.ts';
export { labKubeConfig, labSkipReason, startTestControlPlane } from './test-control-plane.ts';

export {
  type AllocationReader,
  type AllocationRow,
  type AllocationStore,
  type AllocationTransaction,
  BUSY_TIMEOUT_MS,
  leaveStoresToProcessExit,
  openAllocationStore,
  storePath,
} from './allocation-store.ts';
export {
  DEFAULT_DATA_DIR,
  type IpamConfig,
  type IpamConfigSource,
  parseIpamConfig,
  type RangeSet,
} from './ipam-config.ts';
export {
  type Allocation,
  allocate,
  allocateAddresses,
  checkAddresses,
  checkAllocatorStatus,
  rangeSetKey,
  releaseAddresses,
  releaseStaleAddresses,
} from './ipam-operations.ts';
export { ipamConfigOf, ipamPluginHandlers, previousAddresses } from './ipam-plugin.ts';
export { freeCount, inRange, isAllocatable, nextFreeAddress } from './next-free-address.ts';
export {
  attachmentOf,
  CNI_COMMANDS,
  type CniAttachment,
  type CniCommand,
  type CniEnvironment,
  interfaceNameProblem,
  parseCniArgs,
  parseCniEnvironment,
} from './protocol/cni-env.ts';
export {
  CNI_ERROR,
  CniError,
  type CniErrorName,
  type CniErrorOptions,
  type CniErrorResult,
  isCniError,
  toErrorResult,
} from './protocol/cni-error.ts';
export {
  buildRequest,
  type CniRequest,
  decodeConfig,
  versionForErrors,
} from './protocol/cni-request.ts';
export {
  asObject,
  type CniDns,
  type CniInterface,
  type CniIpConfig,
  type CniResult,
  type CniRoute,
  describe,
  formatResult,
  isEmptyDns,
  parseDns,
  parseResult,
} from './protocol/cni-result.ts';
export {
  type CniVersion,
  CURRENT_CNI_VERSION,
  compareVersions,
  isSupportedVersion,
  requireSupportedVersion,
  requireVerbInVersion,
  SUPPORTED_CNI_VERSIONS,
  versionAtLeast,
} from './protocol/cni-version.ts';
export {
  formatInterfaceAddress,
  type InterfaceAddress,
  parseInterfaceAddress,
  parseRouteDestination,
  subnetOf,
} from './protocol/interface-address.ts';
export {
  type CniInvocation,
  type CniOutcome,
  type CniPluginHandlers,
  handleCniInvocation,
  runCniPlugin,
} from './protocol/plugin-main.ts';
export { parseValidAttachments } from './protocol/valid-attachments.ts';
export { parseResolvConf, readResolvConf } from './resolv-conf.ts';

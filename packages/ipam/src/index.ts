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
export { parseResolvConf, readResolvConf } from './resolv-conf.ts';

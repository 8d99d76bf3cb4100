export {
  addressBits,
  compareIp,
  familyName,
  formatIp,
  type IpAddress,
  type IpFamily,
  ipEquals,
  ipFromBigInt,
  ipToBigInt,
  parseIp,
  tryParseIp,
} from './address.ts';
export {
  type AllocationRange,
  type AllocationRangeOptions,
  defaultMaxRangeSize,
  formatAllocationRange,
  resolveAllocationRange,
} from './allocation-range.ts';
export type { AllocatorSnapshot } from './allocator-snapshot.ts';
export {
  type BitmapAllocator,
  createBitmapAllocator,
  restoreBitmapAllocator,
} from './bitmap-allocator.ts';
export {
  type Cidr,
  cidrEquals,
  cidrOf,
  cidrSize,
  contains,
  containsCidr,
  firstAddress,
  formatCidr,
  lastAddress,
  nthAddress,
  overlaps,
  type ParseCidrOptions,
  parseCidr,
} from './cidr.ts';
export {
  type ClusterConfig,
  type ClusterConfigInput,
  type ClusterConfigOptions,
  type ClusterConfigResult,
  checkClusterConfig,
  defaultClusterConfig,
  defaultDnsServiceIp,
  formatClusterConfig,
  kubernetesServiceIp,
  type NodeMaskSizes,
  nodeMaskSize,
  parseClusterConfig,
} from './cluster-config.ts';
export { defaultNodeMaskSizes } from './cluster-config-checks.ts';
export { ClusterConfigError, type ConfigIssue } from './config-issues.ts';
export { dnsNameProblem, isDnsName } from './dns-name.ts';
export {
  isNetError,
  NetError,
  type NetErrorCode,
  RangeExhaustedError,
} from './errors.ts';
export {
  defaultMaxSubnets,
  type SplitCidrOptions,
  splitCidr,
  subnetAt,
  subnetCount,
  subnetIndex,
} from './split.ts';

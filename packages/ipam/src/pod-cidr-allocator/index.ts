export { type AllocationTerm, startAllocationTerm } from './allocation-term.ts';
export {
  type AllocatorConfig,
  AllocatorFlagsError,
  allocatorUsage,
  parseAllocatorFlags,
} from './allocator-flags.ts';
export { type AllocatorMetrics, allocatorMetrics } from './allocator-metrics.ts';
export { allocationState, needsPodCidrs } from './node-cidrs.ts';
export {
  ALLOCATOR_COMPONENT,
  createPodCidrAllocator,
  type PodCidrAllocator,
  type PodCidrAllocatorOptions,
} from './pod-cidr-allocator.ts';
export {
  type Allocation,
  createPodCidrPools,
  type PodCidrPools,
  type PoolSpec,
  type PoolUsage,
} from './pod-cidr-pools.ts';

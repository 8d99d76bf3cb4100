export {
  type AllocatorConfig,
  AllocatorFlagsError,
  allocatorUsage,
  parseAllocatorFlags,
} from './allocator-flags.ts';
export { type NodeObject, needsPodCidrs, podCidrsOf } from './node-cidrs.ts';
export { ALLOCATOR_COMPONENT, recordNodeEvent } from './node-events.ts';
export {
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

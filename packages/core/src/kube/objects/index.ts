export {
  type Endpoint,
  type EndpointConditions,
  type EndpointPort,
  type EndpointSlice,
  endpointSliceServiceKey,
  SERVICE_NAME_LABEL,
} from './endpoint-slice.ts';
export {
  hasPodCidrs,
  type Node,
  type NodeAddress,
  type NodeCondition,
  type NodePodCidrs,
  type NodePodCidrsOptions,
  nodePodCidrs,
  slimNode,
} from './node.ts';
export { type Pod, podIps } from './pod.ts';
export {
  type IpFamilyName,
  type LoadBalancerIngress,
  type PortProtocol,
  type Service,
  type ServicePort,
  type ServiceType,
  serviceClusterIps,
  type TrafficPolicy,
} from './service.ts';

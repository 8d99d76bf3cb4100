import type { KubeObject } from '../kube-object.ts';

export type ServiceType = 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';
export type PortProtocol = 'TCP' | 'UDP' | 'SCTP';
export type IpFamilyName = 'IPv4' | 'IPv6';
export type TrafficPolicy = 'Cluster' | 'Local';

export interface ServicePort {
  name?: string;
  /** Default `TCP`. */
  protocol?: PortProtocol;
  port: number;
  /** A number, or the name of a container port (resolved per endpoint by the EndpointSlice). */
  targetPort?: number | string;
  nodePort?: number;
  appProtocol?: string;
}

export interface LoadBalancerIngress {
  ip?: string;
  hostname?: string;
  /** `Proxy`: the load balancer does not deliver to the VIP, so nodes must not short-circuit it. */
  ipMode?: 'VIP' | 'Proxy';
}

/**
 * A core/v1 Service, reduced to what the service proxy and the DNS server read. Absent fields
 * take the API server's defaults (`type: ClusterIP`, `sessionAffinity: None`, both traffic
 * policies `Cluster`), which it fills in on every stored object.
 */
export interface Service extends KubeObject {
  spec?: {
    type?: ServiceType;
    /** `None` for a headless Service. */
    clusterIP?: string;
    /** One per family, `clusterIPs[0] === clusterIP`. */
    clusterIPs?: string[];
    ports?: ServicePort[];
    selector?: Record<string, string>;
    sessionAffinity?: 'ClientIP' | 'None';
    sessionAffinityConfig?: { clientIP?: { timeoutSeconds?: number } };
    externalTrafficPolicy?: TrafficPolicy;
    internalTrafficPolicy?: TrafficPolicy;
    ipFamilies?: IpFamilyName[];
    externalIPs?: string[];
    loadBalancerSourceRanges?: string[];
    healthCheckNodePort?: number;
    /** `PreferClose` (and newer values): prefer endpoints in the client's zone. */
    trafficDistribution?: string;
    /** The CNAME target of an `ExternalName` Service (DNS). */
    externalName?: string;
    /** Headless DNS also lists endpoints that are not ready. */
    publishNotReadyAddresses?: boolean;
  };
  status?: { loadBalancer?: { ingress?: LoadBalancerIngress[] } };
}

/** A Service's cluster IPs, one per family; none for a headless or ExternalName Service. */
export function serviceClusterIps(service: Service): string[] {
  const spec = service.spec;
  const ips = spec?.clusterIPs?.length ? spec.clusterIPs : spec?.clusterIP ? [spec.clusterIP] : [];
  return ips.filter((ip) => ip !== '' && ip !== 'None');
}

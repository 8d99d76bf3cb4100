import { type KubeObject, objectKey } from '../kube-object.ts';
import type { PortProtocol } from './service.ts';

/** The label that ties an EndpointSlice to its Service (same namespace). */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

export interface EndpointConditions {
  /** Serving and not terminating; absent means ready (the API's rule for unknown state). */
  ready?: boolean;
  /** Passing readiness, whether or not it is terminating. */
  serving?: boolean;
  terminating?: boolean;
}

export interface Endpoint {
  /** One address of the slice's `addressType` (several only for FQDN slices). */
  addresses: string[];
  conditions?: EndpointConditions;
  /** Headless DNS names the endpoint `<hostname>.<service>.<ns>.svc…`. */
  hostname?: string;
  nodeName?: string;
  zone?: string;
  hints?: {
    forZones?: Array<{ name: string }>;
    forNodes?: Array<{ name: string }>;
  };
}

export interface EndpointPort {
  /** Matches the Service port's `name` ('' for an unnamed port). */
  name?: string;
  protocol?: PortProtocol;
  port?: number;
  appProtocol?: string;
}

/** A discovery.k8s.io/v1 EndpointSlice, reduced to what the service proxy and DNS read. */
export interface EndpointSlice extends KubeObject {
  addressType: 'IPv4' | 'IPv6' | 'FQDN';
  /** The API sends `null` for an empty list. */
  endpoints?: Endpoint[] | null;
  ports?: EndpointPort[] | null;
}

/** `namespace/name` of the Service a slice belongs to (its Service's {@link objectKey}), or
 * undefined for a slice without the label (one a user manages by hand). */
export function endpointSliceServiceKey(slice: EndpointSlice): string | undefined {
  const service = slice.metadata?.labels?.[SERVICE_NAME_LABEL];
  if (!service) return undefined;
  return objectKey({ metadata: { namespace: slice.metadata?.namespace, name: service } });
}

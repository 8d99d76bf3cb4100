import type { KubeObject } from '../kube-object.ts';

/** A core/v1 Pod, reduced to what DNS (pod records by IP) and the service proxy read. */
export interface Pod extends KubeObject {
  spec?: {
    nodeName?: string;
    /** The pod shares its node's addresses: they are not the pod's own. */
    hostNetwork?: boolean;
  };
  status?: {
    /** The legacy single-family field, `podIPs[0].ip`. */
    podIP?: string;
    /** One per family, the primary first. */
    podIPs?: Array<{ ip: string }>;
    /** `Succeeded` and `Failed` pods may keep an IP that is already someone else's. */
    phase?: string;
  };
}

/** A Pod's IPs, one per family; none before it is scheduled and networked. */
export function podIps(pod: Pod): string[] {
  const listed = pod.status?.podIPs?.map((entry) => entry.ip).filter(Boolean);
  if (listed?.length) return listed;
  return pod.status?.podIP ? [pod.status.podIP] : [];
}

import { type Cidr, parseCidr } from '../../net/cidr.ts';
import type { KubeObject } from '../kube-object.ts';

/** `status.addresses[]`: `InternalIP`, `ExternalIP`, `Hostname`, … */
export interface NodeAddress {
  type?: string;
  address?: string;
}

/** One of `status.conditions` (`Ready`, `MemoryPressure`, …). */
export interface NodeCondition {
  type?: string;
  status?: 'True' | 'False' | 'Unknown' | string;
  reason?: string;
  message?: string;
}

/** A core/v1 Node, reduced to what Loom reads: the route agent and the podCIDR allocator
 * (`spec.podCIDRs`, `status.addresses`), the lab (`status.conditions`, `nodeInfo`). */
export interface Node extends KubeObject {
  spec?: {
    /** The legacy single-family field; `podCIDRs[0]` when both are set. */
    podCIDR?: string;
    /** One block per family, the primary family first. */
    podCIDRs?: string[];
  };
  status?: {
    addresses?: NodeAddress[];
    conditions?: NodeCondition[];
    nodeInfo?: { kubeletVersion?: string; containerRuntimeVersion?: string };
  };
}

/**
 * A Node as the route agent and the podCIDR allocator read it, for an informer's `transform`:
 * metadata and spec whole (spec is small, and an allocator PUTs it back, so nothing in it may
 * go), `status.addresses` only. The kubelet's status (up to 50 images, conditions, capacity,
 * node info) is most of a Node's bytes; at 1,000 Nodes caching it costs a daemon tens of MB.
 * A PUT to a Node ignores `status`, so the slimmed object is safe to send back.
 */
export function slimNode<T extends Node>(node: T): T {
  const addresses = node.status?.addresses;
  return { ...node, status: addresses ? { addresses } : {} };
}

export interface NodePodCidrs {
  /** The blocks that parsed, in the Node's order. */
  readonly cidrs: Cidr[];
  /** One line per entry that did not: `spec.podCIDRs[1]: "10.1.2.3/8" is not a valid CIDR: …`. */
  readonly problems: string[];
}

export interface NodePodCidrsOptions {
  /**
   * Read `10.244.1.5/24` as `10.244.1.0/24` (and still report it). The API server accepts such
   * values, so an allocator must count the block as taken; a router must not guess, and
   * leaves it out (the default).
   */
  readonly maskHostBits?: boolean;
}

/**
 * The one reading of a Node's pod CIDRs: `spec.podCIDRs`, else the legacy `spec.podCIDR`
 * (set alone by old controllers), each entry parsed or reported under its field path.
 */
export function nodePodCidrs(node: Node, options: NodePodCidrsOptions = {}): NodePodCidrs {
  const listed = node.spec?.podCIDRs?.length ? node.spec.podCIDRs : undefined;
  const texts = listed ?? (node.spec?.podCIDR ? [node.spec.podCIDR] : []);
  const fieldOf = (index: number): string => (listed ? `spec.podCIDRs[${index}]` : 'spec.podCIDR');
  const cidrs: Cidr[] = [];
  const problems: string[] = [];
  texts.forEach((text, index) => {
    try {
      cidrs.push(parseCidr(text));
    } catch (error) {
      problems.push(`${fieldOf(index)}: ${(error as Error).message}`);
      const masked = options.maskHostBits ? tryParseMasked(text) : undefined;
      if (masked) cidrs.push(masked);
    }
  });
  return { cidrs, problems };
}

/** Whether the Node names any pod CIDR at all, parsable or not. */
export function hasPodCidrs(node: Node): boolean {
  return Boolean(node.spec?.podCIDR) || (node.spec?.podCIDRs?.length ?? 0) > 0;
}

function tryParseMasked(text: string): Cidr | undefined {
  try {
    return parseCidr(text, { maskHostBits: true });
  } catch {
    return undefined;
  }
}

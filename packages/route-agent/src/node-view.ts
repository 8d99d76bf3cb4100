import {
  type Cidr,
  formatCidr,
  type IpAddress,
  type IpFamily,
  type Node,
  nodePodCidrs,
  tryParseIp,
} from '@loom-net/core';

/** A Node reduced to what routing needs, parsed once. */
export interface NodeView {
  readonly name: string;
  /** InternalIP addresses in the Node's order (the first is its primary family). */
  readonly internalIps: readonly IpAddress[];
  /** spec.podCIDRs (or the legacy spec.podCIDR), one per family, as core's `nodePodCidrs` reads them. */
  readonly podCidrs: readonly Cidr[];
  /** Values that could not be parsed, e.g. `spec.podCIDRs[1]: "10.1.2.3/8" …`. */
  readonly problems: readonly string[];
}

export function nodeViewOf(node: Node): NodeView {
  const name = node.metadata?.name ?? '';
  // Strict: a route to a guessed block could take traffic from the node that really has it.
  const { cidrs: podCidrs, problems } = nodePodCidrs(node);
  const internalIps: IpAddress[] = [];
  for (const entry of node.status?.addresses ?? []) {
    if (entry.type !== 'InternalIP' || entry.address === undefined) continue;
    const ip = tryParseIp(entry.address);
    if (ip === undefined)
      problems.push(
        `status.addresses: InternalIP ${JSON.stringify(entry.address)} is not an IP address`,
      );
    else if (!internalIps.some((known) => known.value === ip.value && known.family === ip.family))
      internalIps.push(ip);
  }
  return { name, internalIps, podCidrs, problems };
}

/** The Node's first InternalIP of `family`. */
export function internalIpOf(node: NodeView, family: IpFamily): IpAddress | undefined {
  return node.internalIps.find((ip) => ip.family === family);
}

/** A key that changes exactly when something routing depends on changes. */
export function routingFingerprint(node: NodeView): string {
  const ips = node.internalIps.map((ip) => `${ip.family}:${ip.value}`);
  return `${node.name}|${ips.join(',')}|${node.podCidrs.map(formatCidr).join(',')}`;
}

/**
 * `nodeViewOf`, once per object: the informer replaces an object when it changes, so the
 * object itself is the version, and a reconcile over 1,000 Nodes parses only the new ones.
 */
export function createNodeViewCache(): (node: Node) => NodeView {
  const views = new WeakMap<Node, NodeView>();
  return (node) => {
    const known = views.get(node);
    if (known) return known;
    const view = nodeViewOf(node);
    views.set(node, view);
    return view;
  };
}

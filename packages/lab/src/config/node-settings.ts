import { LabError } from '../errors.ts';
import {
  DEFAULT_NODE_COUNT,
  LAB_CNI_CHOICES,
  type LabCni,
  type LabConfig,
  type LabOptions,
  MAX_NODE_COUNT,
  POD_CIDR_MODES,
  type PodCidrMode,
} from './lab-config.ts';
import { nodeName } from './network-plan.ts';

/** What the lab's nodes are: how many, where, which CNI they get, who gives them podCIDRs. */
export interface NodeSettings {
  count: number;
  /** The last `remote` nodes are on the second subnet, behind the router. */
  remote: number;
  cni: LabCni;
  podCidrs: PodCidrMode;
}

/** Which of a lab's nodes are remote: enough of the settings to place a node. */
export type NodePlacement = Pick<NodeSettings, 'count' | 'remote'>;

/** Node `index`'s network namespace: `<prefix>nodeN`. */
export function nodeNetns(config: Pick<LabConfig, 'prefix'>, index: number): string {
  return `${config.prefix}${nodeName(index)}`;
}

/**
 * Node settings as a lab.json records them; one written before remote nodes existed has no
 * `remote`, one written before `lab` was the name of that mode says `static`.
 */
export function recordedNodeSettings(recorded: unknown): NodeSettings | undefined {
  if (typeof recorded !== 'object' || recorded === null) return undefined;
  const settings = recorded as Partial<Omit<NodeSettings, 'podCidrs'>> & { podCidrs?: string };
  return {
    count: settings.count ?? 0,
    remote: settings.remote ?? 0,
    cni: settings.cni ?? 'bridge',
    podCidrs: settings.podCidrs === 'static' ? 'lab' : (settings.podCidrs as PodCidrMode),
  };
}

/**
 * The node settings of an `up`: what the caller asked for, else what the lab already has, else
 * the defaults (3 nodes, none remote, Loom's CNI, podCIDRs from the lab).
 */
export function resolveNodeSettings(
  options: Pick<LabOptions, 'nodes' | 'remoteNodes' | 'cni' | 'podCidrs'>,
  current: NodeSettings | undefined,
): NodeSettings {
  const count = options.nodes ?? current?.count ?? DEFAULT_NODE_COUNT;
  if (!Number.isInteger(count) || count < 0 || count > MAX_NODE_COUNT) {
    throw new LabError(
      'LOOM_LAB_BAD_CONFIG',
      `invalid node count "${options.nodes}": expected a whole number from 0 to ${MAX_NODE_COUNT}`,
    );
  }
  const remote = options.remoteNodes ?? Math.min(current?.remote ?? 0, count);
  if (!Number.isInteger(remote) || remote < 0 || remote > count) {
    throw new LabError(
      'LOOM_LAB_BAD_CONFIG',
      `invalid remote node count "${options.remoteNodes}": expected a whole number from 0 to the node count (${count})`,
    );
  }
  const cni = options.cni ?? current?.cni ?? 'loom';
  if (!LAB_CNI_CHOICES.includes(cni)) {
    throw new LabError(
      'LOOM_LAB_BAD_CONFIG',
      `invalid CNI "${cni}": expected one of ${LAB_CNI_CHOICES.join(', ')}`,
    );
  }
  const podCidrs = options.podCidrs ?? current?.podCidrs ?? 'lab';
  if (!POD_CIDR_MODES.includes(podCidrs)) {
    throw new LabError(
      'LOOM_LAB_BAD_CONFIG',
      `invalid pod CIDR mode "${podCidrs}": expected one of ${POD_CIDR_MODES.join(', ')}`,
    );
  }
  return { count, remote, cni, podCidrs };
}

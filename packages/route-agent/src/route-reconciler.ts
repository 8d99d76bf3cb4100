import {
  type DesiredRouting,
  desiredRouting,
  type RoutingMode,
  type VxlanSettings,
} from './desired-routing.ts';
import { connectedSubnets, underlayOf } from './host-interfaces.ts';
import type { NodeView } from './node-view.ts';
import type { RouteApplier } from './route-applier.ts';
import { planRouteChanges, type RoutePlan } from './route-plan.ts';

export interface RouteReconcilerOptions {
  readonly nodeName: string;
  readonly mode: RoutingMode;
  readonly vxlan: VxlanSettings;
  readonly protocol: number;
  /** The CNI bridge: its (pod) subnet never makes a peer look directly connected. */
  readonly bridge: string;
  readonly applier: RouteApplier;
}

export interface RoutesOutcome {
  readonly desired: DesiredRouting;
  readonly plan: RoutePlan;
  /** Other nodes whose every pod CIDR is now routed. */
  readonly programmed: ReadonlySet<string>;
}

/** One pass: read the host, compute the desired routes, diff, apply one batch. */
export function createRouteReconciler(options: RouteReconcilerOptions) {
  const { applier, vxlan } = options;
  return {
    async reconcile(nodes: readonly NodeView[]): Promise<RoutesOutcome> {
      const host = await applier.readHost();
      const self = nodes.find((node) => node.name === options.nodeName);
      const selfIp = self?.internalIps[0];
      const desired = desiredRouting({
        nodeName: options.nodeName,
        nodes,
        mode: options.mode,
        connected: connectedSubnets(host, [vxlan.device, options.bridge]),
        vxlan,
        underlayMtu: selfIp && underlayOf(host, selfIp)?.mtu,
      });
      const actual = await applier.readState(host);
      const plan = planRouteChanges(desired, actual, {
        protocol: options.protocol,
        vxlanDevice: vxlan.device,
      });
      await applier.apply(plan);
      const conflicted = new Set(plan.conflicts.map(({ route }) => route.node));
      const programmed = new Set(
        desired.nodes
          .filter((node) => node.unrouted.length === 0 && !conflicted.has(node.node))
          .map((node) => node.node),
      );
      return { desired, plan, programmed };
    },
  };
}

export type RouteReconciler = ReturnType<typeof createRouteReconciler>;

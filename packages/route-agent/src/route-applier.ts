import {
  bridgeBatch,
  bridgeFdb,
  type CommandRunner,
  ipBatch,
  ipLinks,
  ipNeighbours,
  ipRoutes,
} from '@loom-net/core';
import { type HostInterfaces, readHostInterfaces } from './host-interfaces.ts';
import {
  type KernelState,
  parseFdb,
  parseKernelRoutes,
  parseNeighbours,
  vxlanLinkOf,
} from './kernel-state.ts';
import type { RoutePlan } from './route-plan.ts';

export interface RouteApplierOptions {
  readonly runner: CommandRunner;
  /** Run every command in this named netns (tests, benchmarks); default the current one. */
  readonly netns?: string;
  readonly vxlanDevice: string;
}

/** The thin kernel side of routing: read what is there, apply a plan. */
export interface RouteApplier {
  /** `ip -details -json address show`: interfaces, addresses, MTUs, the VXLAN device. */
  readHost(): Promise<HostInterfaces>;
  /** The main table (both families) and the VXLAN device's neighbours and FDB. */
  readState(host: HostInterfaces): Promise<KernelState>;
  /** One `ip -batch`, then (for VXLAN peers) one `bridge -batch`. */
  apply(plan: RoutePlan): Promise<void>;
}

export function createRouteApplier(options: RouteApplierOptions): RouteApplier {
  const { runner, netns, vxlanDevice } = options;
  return {
    async readHost() {
      return readHostInterfaces(await ipLinks(runner, ['-details', 'address', 'show'], netns));
    },
    async readState(host) {
      const vxlan = vxlanLinkOf(host, vxlanDevice);
      // -Numeric: the protocol as a number even where rt_protos gives 76 a name.
      const routes = (family: '-4' | '-6') =>
        ipRoutes(runner, ['-Numeric', family, 'route', 'show', 'table', 'main'], netns);
      // Only iproute2's `bridge` shows an FDB entry's remote VTEP; `ip neigh` cannot.
      const [v4, v6, neighbours, fdb] = await Promise.all([
        routes('-4'),
        routes('-6'),
        vxlan ? ipNeighbours(runner, ['neigh', 'show', 'dev', vxlanDevice], netns) : [],
        vxlan ? bridgeFdb(runner, ['fdb', 'show', 'dev', vxlanDevice], netns) : [],
      ]);
      return {
        routes: [...parseKernelRoutes(v4, 4), ...parseKernelRoutes(v6, 6)],
        vxlan,
        neighbours: parseNeighbours(neighbours),
        fdb: parseFdb(fdb),
      };
    },
    async apply(plan) {
      await ipBatch(runner, plan.ipLines, netns);
      await bridgeBatch(runner, plan.fdbLines, netns);
    },
  };
}

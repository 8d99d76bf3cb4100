import { type Cidr, type CommandRunner, sysctlGet, sysctlSet } from '@loom-net/core';
import { VXLAN_OVERHEAD } from './agent-defaults.ts';
import { renderCniConflist } from './cni-conflist.ts';
import { createPluginInstaller, installConflist, type PluginSource } from './cni-install.ts';
import type { RoutingMode } from './desired-routing.ts';
import { type HostInterfaces, underlayOf } from './host-interfaces.ts';
import { createMasqueradeTable, type MasqueradeOutcome } from './masquerade-table.ts';
import type { NodeView } from './node-view.ts';

export interface CniSetupOptions {
  /** The conflist's full path (`/etc/cni/net.d/10-loom.conflist`). */
  readonly confPath: string;
  readonly binDir: string;
  /** Executables to copy into `binDir`; empty to leave the bin dir alone. */
  readonly plugins: readonly PluginSource[];
  readonly bridge: string;
  readonly networkName: string;
  readonly ipamDataDir: string;
  readonly portmap: boolean;
}

export interface NodeSetupOptions {
  readonly runner: CommandRunner;
  readonly netns?: string;
  readonly clusterCidrs: readonly Cidr[];
  /** false: no masquerade (and an old table is removed). */
  readonly masquerade: boolean;
  readonly nftTable: string;
  readonly mode: RoutingMode;
  /** Pod MTU; default the underlay's, less VXLAN's overhead unless the mode is `direct`. */
  readonly mtu?: number;
  /** Absent: the agent does not install CNI (another installer does). */
  readonly cni?: CniSetupOptions;
  readonly readHost: () => Promise<HostInterfaces>;
}

export type ConflistOutcome = 'written' | 'unchanged' | 'disabled' | { waiting: string };

export interface NodeSetupOutcome {
  readonly forwarding: readonly string[];
  readonly masquerade: MasqueradeOutcome;
  readonly pluginsCopied: readonly string[];
  readonly conflist: ConflistOutcome;
}

/**
 * Prepares this node for pods, in the order that keeps a half-done setup harmless:
 * forwarding, masquerade, plugin executables, and the conflist last, because the runtime
 * reports the node's network ready as soon as a conflist appears.
 */
export function createNodeSetup(options: NodeSetupOptions) {
  const { runner, netns } = options;
  const masquerade = createMasqueradeTable({ runner, netns, table: options.nftTable });
  const installPlugins = options.cni && createPluginInstaller(options.cni.binDir);

  async function enableForwarding(self: NodeView | undefined): Promise<string[]> {
    const families = new Set(
      [...options.clusterCidrs, ...(self?.podCidrs ?? [])].map((c) => c.family),
    );
    const keys = [
      'net.ipv4.ip_forward',
      ...(families.has(6) ? ['net.ipv6.conf.all.forwarding'] : []),
    ];
    const changed: string[] = [];
    for (const key of keys) {
      if ((await sysctlGet(runner, key, netns)) === '1') continue;
      await sysctlSet(runner, key, '1', netns);
      changed.push(key);
    }
    return changed;
  }

  async function podMtu(self: NodeView): Promise<number> {
    if (options.mtu !== undefined) return options.mtu;
    const ip = self.internalIps[0];
    const underlay = ip && underlayOf(await options.readHost(), ip);
    const overhead = options.mode === 'direct' || !ip ? 0 : VXLAN_OVERHEAD[ip.family];
    return (underlay?.mtu ?? 1500) - overhead;
  }

  async function writeConflist(self: NodeView | undefined): Promise<ConflistOutcome> {
    const cni = options.cni;
    if (cni === undefined) return 'disabled';
    if (self === undefined) return { waiting: 'this node is not in the Node list yet' };
    if (self.podCidrs.length === 0) return { waiting: `node ${self.name} has no spec.podCIDR yet` };
    const content = renderCniConflist({ ...cni, mtu: await podMtu(self), podCidrs: self.podCidrs });
    return (await installConflist(cni.confPath, content)) ? 'written' : 'unchanged';
  }

  return {
    async reconcile(self: NodeView | undefined): Promise<NodeSetupOutcome> {
      const forwarding = await enableForwarding(self);
      const masq = options.masquerade
        ? await masquerade.ensure(options.clusterCidrs)
        : await masquerade.remove();
      const pluginsCopied = installPlugins ? await installPlugins(options.cni?.plugins ?? []) : [];
      const conflist = await writeConflist(self);
      return { forwarding, masquerade: masq, pluginsCopied, conflist };
    },
  };
}

export type NodeSetup = ReturnType<typeof createNodeSetup>;

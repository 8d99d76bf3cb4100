import { type Cidr, formatCidr } from '@loom-net/core';

export interface CniConflistOptions {
  readonly networkName: string;
  readonly bridge: string;
  readonly mtu: number;
  /** This node's spec.podCIDRs: one loom-ipam range set each (dual-stack = two). */
  readonly podCidrs: readonly Cidr[];
  readonly ipamDataDir: string;
  /** Chain the reference `portmap` plugin (hostPort support); it must be in the CNI bin dir. */
  readonly portmap: boolean;
}

/**
 * This node's CNI network configuration list. The loom-cni entry takes the reference bridge
 * plugin's options, so swapping `type` for `bridge` (and `loom-ipam` for `host-local`) gives
 * an equivalent upstream config. Pods are not masqueraded by the plugin (`ipMasq: false`):
 * the route agent's nftables table does it for traffic leaving the cluster CIDR only.
 */
export function renderCniConflist(options: CniConflistOptions): string {
  const plugins: unknown[] = [
    {
      type: 'loom-cni',
      bridge: options.bridge,
      isGateway: true,
      isDefaultGateway: true,
      ipMasq: false,
      mtu: options.mtu,
      hairpinMode: true,
      ipam: {
        type: 'loom-ipam',
        ranges: options.podCidrs.map((cidr) => [{ subnet: formatCidr(cidr) }]),
        dataDir: options.ipamDataDir,
      },
    },
  ];
  if (options.portmap) plugins.push({ type: 'portmap', capabilities: { portMappings: true } });
  const conflist = { cniVersion: '1.1.0', name: options.networkName, plugins };
  return `${JSON.stringify(conflist, null, 2)}\n`;
}

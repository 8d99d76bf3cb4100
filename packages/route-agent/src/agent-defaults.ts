/**
 * The names and numbers Loom's route agent owns on a node. Everything it creates carries one
 * of them, so an operator can find it (`ip route show proto 76`, `nft list table inet
 * loom-route-agent`) and the agent never mistakes someone else's state for its own.
 */
export const AGENT_DEFAULTS = {
  /**
   * The routing protocol id on every route the agent programs: 76 (0x4c, ASCII `L`), unused
   * by linux/rtnetlink.h's RTPROT_* values and by the routing daemons iproute2 knows. The
   * agent only ever replaces or deletes routes that carry it.
   */
  routeProtocol: 76,
  /** One VXLAN device for every tunnelled peer, as flannel's `flannel.1`. */
  vxlanDevice: 'loom.vxlan',
  /** flannel's VNI and the Linux VXLAN port (8472), not IANA's 4789: same as flannel. */
  vxlanVni: 1,
  vxlanPort: 8472,
  /** The nftables table holding the pod egress masquerade (family inet). */
  nftTable: 'loom-route-agent',
  /** The CNI bridge loom-cni creates; its addresses are pod subnets, not underlay ones. */
  cniBridge: 'loom0',
  cniNetworkName: 'loom',
  cniConfDir: '/etc/cni/net.d',
  cniConfFile: '10-loom.conflist',
  cniBinDir: '/opt/cni/bin',
  ipamDataDir: '/var/lib/cni/loom-ipam',
  clusterCidrs: ['10.244.0.0/16'],
  resyncMs: 30_000,
  healthPort: 9101,
} as const;

/** VXLAN's outer headers: 14 (Ethernet) + 8 (VXLAN) + 8 (UDP) + 20 (IPv4) or 40 (IPv6). */
export const VXLAN_OVERHEAD = { 4: 50, 6: 70 } as const;

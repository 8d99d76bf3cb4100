/** One thing `loom install` learnt about the cluster, and where from (for the report). */
export interface DiscoveredFact<T> {
  readonly value: T;
  /** `ServiceCIDR kubernetes`, `kubeadm-config ClusterConfiguration.networking.podSubnet`, `--service-cidr`. */
  readonly source: string;
  /** Why this value is weaker than it looks: a guess, a default. */
  readonly caveat?: string;
}

// The users Loom's daemons act as in the lab: the ServiceAccount user names their pods' tokens
// would carry, as the CN of the client certificates the lab issues them, so that the RBAC of
// cluster/loom-rbac.ts applies to them as it will to the pods.

/** One identity for every node's agent, as a DaemonSet's pods share one ServiceAccount. */
export const ROUTE_AGENT_USER = 'system:serviceaccount:kube-system:loom-route-agent';
export const POD_CIDR_ALLOCATOR_USER = 'system:serviceaccount:kube-system:loom-pod-cidr-allocator';

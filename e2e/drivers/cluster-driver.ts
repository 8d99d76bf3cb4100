import type { KubeConfig } from '@kubernetes/client-node';

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * What an e2e spec needs of a cluster, whatever runs it: the lab here, kind where Docker
 * exists. Specs talk to Kubernetes through `kubectl`/`apply`, reach into nodes and pods with
 * `exec`, and break and mend nodes only through the methods below.
 */
export interface ClusterDriver {
  readonly name: 'lab' | 'kind';
  /** The nodes pods run on, in order (`node1`… in the lab, `kind-worker`… on kind). */
  readonly nodes: readonly string[];
  /** What the nodes report: the kubelet's version, the container runtime (`loom-lab://…`). */
  readonly expected: { kubeletVersion: string; containerRuntime: RegExp };
  /** An admin client configuration reachable from the test process. */
  kubeConfig(): KubeConfig;
  /** kubectl of the cluster's version, as admin. */
  kubectl(args: readonly string[], options?: { stdin?: string }): Promise<RunResult>;
  /** `kubectl apply` of these objects; throws with kubectl's message when it fails. */
  apply(objects: readonly object[]): Promise<void>;
  /**
   * Runs a command in a node's namespaces (`node1`), where paths are the node's own
   * (/etc/cni/net.d, /var/lib/cni, /var/run/netns), or in a pod's network namespace
   * (`NAMESPACE/POD`) with host tools (curl, dig, ip).
   */
  exec(host: string, command: readonly string[]): Promise<RunResult>;
  /** The pod IPs the node's IPAM has handed out and not yet released. */
  allocatedPodIps(node: string): Promise<string[]>;
  /** The pod's network namespace as a path on its node (`/var/run/netns/…`). */
  podNetns(namespace: string, pod: string): Promise<string>;
  /** Kills the node's kubelet (it stays dead until `repair`). */
  stopKubelet(node: string): Promise<void>;
  /**
   * Removes the node's CNI configuration (it stays gone until `repair`); with Loom's CNI, the
   * node's `loom-node` DaemonSet pod is kept off it first (a node affinity), so nothing puts
   * the config back until `repair`.
   */
  removeCniConfig(node: string): Promise<void>;
  /**
   * Joins one more node to the cluster (Ready, with the cluster's CNI) and returns its name;
   * `remote` puts it on another subnet, behind a router, so it reaches the others only
   * through one (Loom routes to it over VXLAN).
   */
  addNode(options?: { remote?: boolean }): Promise<string>;
  /** Takes a node added by `addNode` out of the cluster again (its Node object goes too). */
  removeNode(name: string): Promise<void>;
  /** Stops the API server (it stays down until `repair`); nodes and pods keep running. */
  stopApiServer(): Promise<void>;
  /** Puts everything back as the cluster was created (API server, kubelets, CNI). */
  repair(): Promise<void>;
  /** Done with the cluster: tears it down if this driver brought it up. */
  release(): Promise<void>;
}

/** The driver `LOOM_E2E_DRIVER` names: `lab` (the default) or `kind` (docs/kind.md). */
export function selectedDriverName(env: NodeJS.ProcessEnv = process.env): ClusterDriver['name'] {
  const name = env.LOOM_E2E_DRIVER || 'lab';
  if (name === 'lab' || name === 'kind') return name;
  throw new Error(`unknown LOOM_E2E_DRIVER "${name}" (known: lab, kind)`);
}

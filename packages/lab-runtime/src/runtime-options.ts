/** Everything a lab runtime instance needs; main.ts builds it from flags. */
export interface LabRuntimeOptions {
  /** The CRI endpoint: a unix socket path. */
  socket: string;
  /** Sandboxes, containers, images and their files; survives restarts. */
  stateDir: string;
  cniConfDir: string;
  cniBinDirs: string[];
  /** libcni's cache dir (`<dir>/results/<net>-<id>-<if>`), /var/lib/cni on a real node. */
  cniCacheDir: string;
  /** Pod network namespaces are `<prefix><first 12 hex of the sandbox id>`. */
  netnsPrefix: string;
  /** `api.proto` of k8s.io/cri-api. */
  criProto: string;
  agnhost: string;
  busybox: string;
  /** Extra image definitions (JSON), consulted before the built-in ones. */
  imageMap?: string;
  /** Image archives (OCI layout or docker save, in a tar) loaded at start and pulled from. */
  imageArchives: string[];
  /**
   * Where unpacked image layers go when several runtimes share them (the lab's nodes); default:
   * `<stateDir>/images/layers`, this runtime's own.
   */
  imageStore?: string;
  logLevel?: string;
  /** Serve /healthz, /readyz and /metrics on this TCP port (all addresses of the node). */
  healthPort?: number;
}

export const DEFAULT_NETNS_PREFIX = 'loom-pod-';

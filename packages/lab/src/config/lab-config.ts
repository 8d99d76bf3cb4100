import { isAbsolute, join, resolve } from 'node:path';
import { loomCacheDir } from '@loom-net/lab-runtime/lab-binaries';
import { LabError } from '../errors.ts';

export const DEFAULT_STATE_DIR = '/var/lib/loom-lab';
export const DEFAULT_PREFIX = 'loom-';
export const DEFAULT_HOST_API_PORT = 36443;
export const DEFAULT_NODE_COUNT = 3;
/** Nodes get 192.168.1.11… and 10.244.N.0/24: beyond this the plan runs out of /24s to hand. */
export const MAX_NODE_COUNT = 200;

/**
 * The CNI a node gets: `loom` = Loom's own, installed as a user installs it: `loom install`
 * applies deploy/install.yaml, and the lab runtime runs Loom's image from its archive (the
 * `loom-node` DaemonSet's init container copies loom-cni + loom-ipam into the node's
 * /opt/cni/bin, its route agent writes the conflist and routes to the other nodes' pods);
 * `bridge` = Debian's reference plugins (bridge +
 * host-local over the node's podCIDR, no routes between nodes); `none` = an empty conf dir, so
 * the node stays NotReady until something installs a CNI, as on a fresh kind cluster.
 */
export type LabCni = 'loom' | 'bridge' | 'none';
export const LAB_CNI_CHOICES: readonly LabCni[] = ['loom', 'bridge', 'none'];

/**
 * Who sets `spec.podCIDR(s)`: `lab` = the lab creates each Node with 10.244.N.0/24 before its
 * kubelet registers (the classic topology); `controller-manager` = kube-controller-manager's
 * node IPAM allocates them as nodes register; `loom` = Loom's leader-elected
 * loom-pod-cidr-allocator does (kube-controller-manager then runs with
 * `--allocate-node-cidrs=false`).
 */
export type PodCidrMode = 'lab' | 'controller-manager' | 'loom';
export const POD_CIDR_MODES: readonly PodCidrMode[] = ['lab', 'controller-manager', 'loom'];

/** What a caller may choose; everything else follows from it. */
export interface LabOptions {
  /** Where all of the lab's state lives (certs, kubeconfigs, etcd data, logs, PID files). */
  stateDir?: string;
  /** Prefix of every network namespace the lab creates; must start with `loom-`. */
  prefix?: string;
  /** Port of the root-side API listener on 127.0.0.1; 0 picks a free one. */
  hostApiPort?: number;
  /**
   * Extra kube-apiserver flags, e.g. `--watch-cache=false` so that lists and watches at an
   * old resourceVersion reach etcd and get 410 Gone right after a compaction. A running
   * API server is not restarted when they change.
   */
  apiServerArgs?: readonly string[];
  /** How many nodes (`node1..nodeN`); default: as many as the lab has, or 3 for a new one. */
  nodes?: number;
  /**
   * How many of the nodes (the last ones) sit on a second underlay subnet, 192.168.2.0/24,
   * behind a router namespace: nodes that reach each other only through a router, as VXLAN
   * needs. Default: what the lab has, or 0.
   */
  remoteNodes?: number;
  /** Default: what the lab was brought up with, or `loom`. */
  cni?: LabCni;
  /** Default: what the lab was brought up with, or `lab`. */
  podCidrs?: PodCidrMode;
}

export interface LabPaths {
  stateFile: string;
  pkiDir: string;
  etcdDataDir: string;
  logDir: string;
  runDir: string;
  adminKubeconfig: string;
  hostKubeconfig: string;
  controllerManagerKubeconfig: string;
  schedulerKubeconfig: string;
  /**
   * Image layers unpacked once for every node's runtime (`loom-lab-runtime --image-store`), in
   * the Loom cache: shared by every lab, kept by `lab down`, pruned when unused for long.
   */
  imageStoreDir: string;
  /** One directory per node: its tree (mounted at the standard paths), certificates, runtime state. */
  nodesDir: string;
  /** A private bind mount holding the nodes' persistent mount-namespace files. */
  mountNamespaceDir: string;
  /** Unix sockets served by the bridge inside the control-plane namespace. */
  sockets: {
    apiServer: string;
    etcd: string;
    controllerManager: string;
    scheduler: string;
  };
  /** Written by the root-side bridge once it listens: the port it got. */
  hostBridgeReady: string;
  netnsBridgeReady: string;
}

export interface LabConfig {
  prefix: string;
  stateDir: string;
  hostApiPort: number;
  apiServerArgs: readonly string[];
  netns: {
    switch: string;
    controlPlane: string;
    /** Only while the lab has remote nodes: the router and the second subnet's switch. */
    router: string;
    remoteSwitch: string;
  };
  paths: LabPaths;
}

// sun_path is 108 bytes including the terminating NUL.
const MAX_SOCKET_PATH = 107;
const PREFIX_PATTERN = /^loom-[a-z0-9-]{0,24}$/;

export function resolveLabConfig(
  options: LabOptions = {},
  env: NodeJS.ProcessEnv = process.env,
): LabConfig {
  const prefix = options.prefix ?? env.LOOM_LAB_PREFIX ?? DEFAULT_PREFIX;
  if (!PREFIX_PATTERN.test(prefix)) {
    throw new LabError(
      'LOOM_LAB_BAD_CONFIG',
      `invalid lab prefix "${prefix}": it must start with "loom-" and use only a-z, 0-9 and "-" (at most 29 characters)`,
    );
  }
  const rawDir = options.stateDir ?? env.LOOM_LAB_DIR ?? DEFAULT_STATE_DIR;
  const stateDir = isAbsolute(rawDir) ? rawDir : resolve(rawDir);
  const hostApiPort =
    options.hostApiPort === undefined
      ? parsePort(env.LOOM_LAB_API_PORT)
      : validatePort(options.hostApiPort, 'API port');
  const paths = labPaths(stateDir, env);
  for (const socket of Object.values(paths.sockets)) {
    if (Buffer.byteLength(socket) > MAX_SOCKET_PATH) {
      throw new LabError(
        'LOOM_LAB_BAD_CONFIG',
        `invalid lab state dir "${stateDir}": the unix socket ${socket} would exceed ${MAX_SOCKET_PATH} bytes; choose a shorter path`,
      );
    }
  }
  return {
    prefix,
    stateDir,
    hostApiPort,
    apiServerArgs: options.apiServerArgs ?? [],
    netns: {
      switch: `${prefix}switch`,
      controlPlane: `${prefix}cp`,
      router: `${prefix}router`,
      remoteSwitch: `${prefix}switch2`,
    },
    paths,
  };
}

function parsePort(raw: string | undefined): number {
  if (raw === undefined || raw === '') return DEFAULT_HOST_API_PORT;
  return validatePort(Number(raw), 'LOOM_LAB_API_PORT', raw);
}

function validatePort(port: number, what: string, raw: string = String(port)): number {
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new LabError('LOOM_LAB_BAD_CONFIG', `invalid ${what} "${raw}": not a TCP port`);
  }
  return port;
}

function labPaths(stateDir: string, env: NodeJS.ProcessEnv): LabPaths {
  const runDir = join(stateDir, 'run');
  return {
    stateFile: join(stateDir, 'lab.json'),
    pkiDir: join(stateDir, 'pki'),
    etcdDataDir: join(stateDir, 'etcd'),
    logDir: join(stateDir, 'logs'),
    runDir,
    adminKubeconfig: join(stateDir, 'admin.kubeconfig'),
    hostKubeconfig: join(stateDir, 'kubeconfig.host'),
    controllerManagerKubeconfig: join(stateDir, 'controller-manager.kubeconfig'),
    schedulerKubeconfig: join(stateDir, 'scheduler.kubeconfig'),
    imageStoreDir: join(loomCacheDir(env), 'lab-images'),
    nodesDir: join(stateDir, 'nodes'),
    mountNamespaceDir: join(stateDir, 'mntns'),
    sockets: {
      apiServer: join(runDir, 'apiserver.sock'),
      etcd: join(runDir, 'etcd.sock'),
      controllerManager: join(runDir, 'controller-manager.sock'),
      scheduler: join(runDir, 'scheduler.sock'),
    },
    hostBridgeReady: join(runDir, 'host-bridge.json'),
    netnsBridgeReady: join(runDir, 'netns-bridge.json'),
  };
}

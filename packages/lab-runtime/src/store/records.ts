import type { ContainerConfig, PodSandboxConfig } from '../cri/cri-types.ts';

export type SandboxState = 'creating' | 'ready' | 'notready';

/** A pod sandbox as persisted in `<state>/sandboxes/<id>/sandbox.json`. */
export interface SandboxRecord {
  id: string;
  /** `name_namespace_uid_attempt`, unique among live sandboxes (containerd's name index). */
  name: string;
  config: PodSandboxConfig;
  runtimeHandler: string;
  state: SandboxState;
  createdAt: string;
  hostNetwork: boolean;
  /** The pod's network namespace under /var/run/netns; null for hostNetwork pods. */
  netns: string | null;
  /**
   * Set once the pod's netns exists, before CNI ADD runs, and cleared when a DEL succeeded: an
   * ADD that failed or was interrupted may have left state behind, so teardown owes a DEL.
   */
  networkAttached: boolean;
  /** Primary (IPv4 if any) first. */
  ips: string[];
}

export type ContainerState = 'created' | 'running' | 'exited' | 'unknown';

/** A process and when it started (field 22 of /proc/<pid>/stat), so a reused PID is never ours. */
export interface ProcessIdentity {
  pid: number;
  startTicks: string;
}

/** A container as persisted in `<state>/containers/<id>/container.json`. */
export interface ContainerRecord {
  id: string;
  sandboxId: string;
  /** `name_pod_namespace_uid_attempt`. */
  name: string;
  config: ContainerConfig;
  imageId: string;
  /** The image's first tag, reported as ContainerStatus.image. */
  imageName: string;
  /** A digested reference (`repo@sha256:…`), reported as image_ref. */
  imageRef: string;
  state: ContainerState;
  createdAt: string;
  startedAt: string;
  finishedAt: string;
  exitCode: number;
  reason: string;
  message: string;
  /** The container's first process (PID 1 of its PID namespace), once started. */
  process: ProcessIdentity | null;
  /** The shim that waits for it and records its exit status. */
  shim: ProcessIdentity | null;
  stopSignalSent: boolean;
  /** Absolute log path, or '' when the kubelet gave none (output is then discarded). */
  logPath: string;
  argv: string[];
  env: string[];
  workingDir: string;
  stopSignal: string;
  /** Why StartContainer will fail (the command is not in the root), found at create time. */
  startProblem: string;
  /** The uid/gid its processes (and ExecSync) run as; null: root. Absent in older records. */
  user?: { uid: number; gid: number } | null;
  /** The diff_ids of the layers under its overlay root, bottom first (archive images only). */
  layers?: string[];
}

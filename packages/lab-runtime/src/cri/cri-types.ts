/**
 * The CRI `runtime.v1` messages this runtime reads and writes, as `@grpc/proto-loader` hands
 * them over with `keepCase`, `longs: String`, `enums: String`, `defaults: true`: every field is
 * present, 64-bit integers are decimal strings, enums are their names, unset messages are null.
 * Only the fields the runtime uses are declared.
 */

export type NamespaceMode = 'POD' | 'CONTAINER' | 'NODE' | 'TARGET';

export interface NamespaceOption {
  network: NamespaceMode;
  pid: NamespaceMode;
  ipc: NamespaceMode;
  target_id: string;
}

export interface Int64Value {
  value: string;
}

export interface DNSConfig {
  servers: string[];
  searches: string[];
  options: string[];
}

export interface PortMapping {
  protocol: 'TCP' | 'UDP' | 'SCTP';
  container_port: number;
  host_port: number;
  host_ip: string;
}

export interface PodSandboxMetadata {
  name: string;
  uid: string;
  namespace: string;
  attempt: number;
}

export interface PodSandboxConfig {
  metadata: PodSandboxMetadata | null;
  hostname: string;
  log_directory: string;
  dns_config: DNSConfig | null;
  port_mappings: PortMapping[];
  labels: Record<string, string>;
  annotations: Record<string, string>;
  linux: {
    cgroup_parent: string;
    security_context: { namespace_options: NamespaceOption | null } | null;
    sysctls: Record<string, string>;
  } | null;
}

export interface ContainerMetadata {
  name: string;
  attempt: number;
}

export interface ImageSpec {
  image: string;
  annotations: Record<string, string>;
  user_specified_image?: string;
  runtime_handler?: string;
}

export interface KeyValue {
  key: string;
  value: Buffer | string;
}

export type MountPropagation =
  | 'PROPAGATION_PRIVATE'
  | 'PROPAGATION_HOST_TO_CONTAINER'
  | 'PROPAGATION_BIDIRECTIONAL';

export interface Mount {
  container_path: string;
  host_path: string;
  readonly: boolean;
  selinux_relabel: boolean;
  propagation: MountPropagation;
}

export interface LinuxContainerSecurityContext {
  namespace_options: NamespaceOption | null;
  run_as_user: Int64Value | null;
  run_as_group: Int64Value | null;
  run_as_username: string;
  readonly_rootfs: boolean;
  privileged: boolean;
}

export interface ContainerConfig {
  metadata: ContainerMetadata | null;
  image: ImageSpec | null;
  command: string[];
  args: string[];
  working_dir: string;
  envs: KeyValue[];
  mounts: Mount[];
  labels: Record<string, string>;
  annotations: Record<string, string>;
  log_path: string;
  stdin: boolean;
  tty: boolean;
  linux: { security_context: LinuxContainerSecurityContext | null } | null;
  stop_signal: string;
}

export type SandboxStateName = 'SANDBOX_READY' | 'SANDBOX_NOTREADY';
export type ContainerStateName =
  | 'CONTAINER_CREATED'
  | 'CONTAINER_RUNNING'
  | 'CONTAINER_EXITED'
  | 'CONTAINER_UNKNOWN';

export interface PodSandboxFilter {
  id: string;
  state: { state: SandboxStateName } | null;
  label_selector: Record<string, string>;
}

export interface ContainerFilter {
  id: string;
  state: { state: ContainerStateName } | null;
  pod_sandbox_id: string;
  label_selector: Record<string, string>;
}

export interface StatsFilter {
  id: string;
  pod_sandbox_id?: string;
  label_selector: Record<string, string>;
}

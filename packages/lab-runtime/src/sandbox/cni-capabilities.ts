import type { CapabilityArgs } from '@loom-net/cni-spec/libcni';
import { CriError } from '../cri/cri-error.ts';
import type { PodSandboxConfig } from '../cri/cri-types.ts';

const INGRESS = 'kubernetes.io/ingress-bandwidth';
const EGRESS = 'kubernetes.io/egress-bandwidth';
const POD_ANNOTATIONS = 'io.kubernetes.cri.pod-annotations';
// containerd leaves the burst to the plugin by passing the largest uint32.
const MAX_UINT32 = 4294967295;

const SUFFIXES: Record<string, number> = {
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
  m: 1e-3,
};

/** A Kubernetes resource quantity (`10M`, `1Gi`, `500k`) as an integer, rounded up. */
export function parseQuantity(text: string): number {
  const match =
    /^([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:e([+-]?[0-9]+))?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E|m)?$/.exec(
      text.trim(),
    );
  if (match === null) throw new Error(`"${text}" is not a quantity`);
  const [, digits, exponent, suffix] = match;
  const value = Number(digits) * 10 ** Number(exponent ?? 0) * SUFFIXES[suffix ?? '']!;
  return Math.ceil(value);
}

// k8s.io/kubernetes pkg/util/bandwidth: ExtractPodBandwidthResources + its sanity bounds.
function bandwidthOf(annotations: Record<string, string>, key: string): number | undefined {
  const text = annotations[key];
  if (text === undefined) return undefined;
  let bits: number;
  try {
    bits = parseQuantity(text);
  } catch (error) {
    throw new CriError(
      'INVALID_ARGUMENT',
      `invalid ${key} annotation: ${(error as Error).message}`,
    );
  }
  if (bits < 1e3)
    throw new CriError('INVALID_ARGUMENT', `${key} ${text} is unreasonably small (< 1kbit)`);
  if (bits > 1e15)
    throw new CriError('INVALID_ARGUMENT', `${key} ${text} is unreasonably large (> 1Pbit)`);
  return bits;
}

/**
 * The capability arguments containerd hands libcni for a pod (cniNamespaceOpts): port
 * mappings with a host port, bandwidth from annotations, DNS, the cgroup parent and the pod
 * annotations. libcni passes each only to plugins that declare the capability.
 */
export function capabilityArgsFor(config: PodSandboxConfig): CapabilityArgs {
  const args: CapabilityArgs = { [POD_ANNOTATIONS]: config.annotations };
  const ports = config.port_mappings
    .filter((p) => p.host_port > 0)
    .map((p) => ({
      hostPort: p.host_port,
      containerPort: p.container_port,
      protocol: p.protocol.toLowerCase(),
      ...(p.host_ip ? { hostIP: p.host_ip } : {}),
    }));
  if (ports.length > 0) args.portMappings = ports;
  const ingress = bandwidthOf(config.annotations, INGRESS);
  const egress = bandwidthOf(config.annotations, EGRESS);
  if (ingress !== undefined || egress !== undefined) {
    args.bandwidth = {
      ...(ingress === undefined ? {} : { ingressRate: ingress, ingressBurst: MAX_UINT32 }),
      ...(egress === undefined ? {} : { egressRate: egress, egressBurst: MAX_UINT32 }),
    };
  }
  const dns = config.dns_config;
  if (dns !== null && dns.servers.length + dns.searches.length + dns.options.length > 0) {
    args.dns = { servers: dns.servers, searches: dns.searches, options: dns.options };
  }
  const cgroup = config.linux?.cgroup_parent ?? '';
  if (cgroup !== '') args.cgroupPath = cgroup;
  return args;
}

/** CNI_ARGS as containerd sends them (toCNILabels), in this order. */
export function cniArgsFor(sandboxId: string, config: PodSandboxConfig): [string, string][] {
  const meta = config.metadata;
  return [
    ['IgnoreUnknown', '1'],
    ['K8S_POD_NAMESPACE', meta?.namespace ?? ''],
    ['K8S_POD_NAME', meta?.name ?? ''],
    ['K8S_POD_INFRA_CONTAINER_ID', sandboxId],
    ['K8S_POD_UID', meta?.uid ?? ''],
  ];
}

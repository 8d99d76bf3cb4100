/**
 * A Node object shaped like one a kubelet registers and keeps up to date: labels and
 * annotations, capacity, conditions, node info and an image list (the kubelet reports up to 50
 * images, `--node-status-max-images`; 25 here). The API server adds managedFields for all of it.
 * About 6 KB of JSON: an informer that caches whole Nodes pays for every byte, so the bench
 * Nodes must not be the 300-byte skeletons that would flatter it.
 */
export interface KubeletNodeSpec {
  name: string;
  internalIp: string;
  podCidr: string;
  labels?: Record<string, string>;
}

const IMAGES = [
  'registry.k8s.io/kube-proxy:v1.34.1',
  'registry.k8s.io/pause:3.10.1',
  'registry.k8s.io/coredns/coredns:v1.12.1',
  'registry.k8s.io/metrics-server/metrics-server:v0.8.0',
  'ghcr.io/loom-net/loom:0.1.0',
  'docker.io/library/nginx:1.29.1',
  'docker.io/library/redis:8.2.1',
  'docker.io/library/postgres:17.6',
  'quay.io/prometheus/node-exporter:v1.9.1',
  'quay.io/prometheus/prometheus:v3.5.0',
  'docker.io/grafana/grafana:12.1.1',
  'docker.io/grafana/loki:3.5.3',
  'docker.io/grafana/promtail:3.5.3',
  'registry.k8s.io/ingress-nginx/controller:v1.13.2',
  'quay.io/jetstack/cert-manager-controller:v1.18.2',
  'quay.io/jetstack/cert-manager-webhook:v1.18.2',
  'quay.io/jetstack/cert-manager-cainjector:v1.18.2',
  'docker.io/bitnami/kubectl:1.34.1',
  'docker.io/library/busybox:1.37.0',
  'docker.io/library/alpine:3.22.1',
  'registry.k8s.io/e2e-test-images/agnhost:2.56',
  'docker.io/library/python:3.13-slim',
  'docker.io/library/node:24-slim',
  'docker.io/library/golang:1.25',
  'docker.io/library/memcached:1.6.39',
];

/** A stable fake sha256 digest per image, so every Node lists the same images, as in a fleet. */
function digest(image: string): string {
  let h = 0x811c9dc5;
  let out = '';
  for (let round = 0; out.length < 64; round++) {
    for (const ch of `${image}#${round}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
    out += h.toString(16).padStart(8, '0');
  }
  return out.slice(0, 64);
}

const CONDITIONS = [
  [
    'MemoryPressure',
    'False',
    'KubeletHasSufficientMemory',
    'kubelet has sufficient memory available',
  ],
  ['DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
  ['PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
  ['Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'],
] as const;

export function kubeletNode(spec: KubeletNodeSpec) {
  const when = '2026-01-01T00:00:00Z';
  const resources = {
    cpu: '8',
    'ephemeral-storage': '101203028Ki',
    'hugepages-1Gi': '0',
    'hugepages-2Mi': '0',
    memory: '32827548Ki',
    pods: '110',
  };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: spec.name,
      labels: {
        'beta.kubernetes.io/arch': 'amd64',
        'beta.kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'kubernetes.io/hostname': spec.name,
        'kubernetes.io/os': 'linux',
        'node.kubernetes.io/instance-type': 'm6i.2xlarge',
        'topology.kubernetes.io/region': 'eu-west-1',
        'topology.kubernetes.io/zone': 'eu-west-1a',
        ...spec.labels,
      },
      annotations: {
        'kubeadm.alpha.kubernetes.io/cri-socket': 'unix:///run/containerd/containerd.sock',
        'node.alpha.kubernetes.io/ttl': '0',
        'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
      },
    },
    spec: { podCIDR: spec.podCidr, podCIDRs: [spec.podCidr], providerID: `lab://${spec.name}` },
    status: {
      addresses: [
        { type: 'InternalIP', address: spec.internalIp },
        { type: 'Hostname', address: spec.name },
      ],
      allocatable: resources,
      capacity: resources,
      conditions: CONDITIONS.map(([type, status, reason, message]) => ({
        type,
        status,
        reason,
        message,
        lastHeartbeatTime: when,
        lastTransitionTime: when,
      })),
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      images: IMAGES.map((image) => ({
        names: [`${image.split(':')[0]}@sha256:${digest(image)}`, image],
        sizeBytes: 10_000_000 + (digest(image).charCodeAt(0) % 97) * 1_000_000,
      })),
      nodeInfo: {
        architecture: 'amd64',
        bootID: digest(`${spec.name}-boot`).replace(
          /^(.{8})(.{4})(.{4})(.{4})(.{12}).*/,
          '$1-$2-$3-$4-$5',
        ),
        containerRuntimeVersion: 'containerd://2.1.4',
        kernelVersion: '6.12.43+deb13-amd64',
        kubeProxyVersion: '',
        kubeletVersion: 'v1.34.1',
        machineID: digest(`${spec.name}-machine`).slice(0, 32),
        operatingSystem: 'linux',
        osImage: 'Debian GNU/Linux 13 (trixie)',
        systemUUID: digest(`${spec.name}-uuid`).replace(
          /^(.{8})(.{4})(.{4})(.{4})(.{12}).*/,
          '$1-$2-$3-$4-$5',
        ),
      },
    },
  };
}

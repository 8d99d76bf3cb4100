/**
 * The upstream versions the lab runs, measured to work together (the project's reference
 * notes on building Kubernetes, k8s-build.md). Bumping one means a new cache directory.
 * Kubernetes' own is the lab runtime's (its CRI API is that release's), so it lives there.
 */
export {
  CRI_API_MODULE,
  CRI_API_PROTO_FILE,
  CRI_API_PROTO_IN_MODULE,
  KUBERNETES_VERSION,
} from '@loom-net/lab-runtime/lab-binaries';
export const ETCD_VERSION = 'v3.6.16';
export const CRI_TOOLS_VERSION = 'v1.37.0';

/** k8s.io/kubernetes v1.37's go.mod says `go 1.26.0`: an older Go cannot build it. */
export const GO_MINIMUM = 'go1.26';

export interface GoToolchainPin {
  version: string;
  /** SHA-256 of the module zip golang.org/toolchain@v0.0.1-<version>.<platform>, per platform. */
  sha256: Readonly<Record<string, string>>;
}

/** The Go fetched when the machine has none, or one older than GO_MINIMUM. */
export const GO_TOOLCHAIN: GoToolchainPin = {
  version: 'go1.26.8',
  sha256: {
    'linux-amd64': '30c2b1bf7dcc88d3eb0a1364e47ddd9128edb3110a30e8a0ef61cd5856b31de7',
    'linux-arm64': '02b36b6787b3ac767668f630e2998df45a3b1f9ffee08d1bf3ef6487cd658d99',
  },
};

export type LabBinary =
  | 'kube-apiserver'
  | 'kube-controller-manager'
  | 'kube-scheduler'
  | 'kubelet'
  | 'kubectl'
  | 'agnhost'
  | 'etcd'
  | 'crictl'
  | 'critest';

/**
 * How each binary is made: a package of k8s.io/kubernetes (built in the shared throwaway
 * module), a package built in a throwaway module of its own, a plain `go install`, or a test
 * binary (`go test -c`, in a module of its own) such as critest.
 * etcd needs its own module: its go.mod has replace directives, which `go install pkg@v`
 * refuses, and sharing the Kubernetes module would let Kubernetes' requirements raise
 * etcd's dependencies.
 */
export type BinarySource =
  | { kind: 'kubernetes'; binary: LabBinary; pkg: string }
  | { kind: 'module'; binary: LabBinary; pkg: string; version: string }
  | { kind: 'install'; binary: LabBinary; pkg: string; version: string }
  | { kind: 'test'; binary: LabBinary; pkg: string; version: string; ldflags: string };

// The order the lab needs them in; the API server is the slow one (most shared packages).
export const BINARY_SOURCES: readonly BinarySource[] = [
  { kind: 'kubernetes', binary: 'kube-apiserver', pkg: 'cmd/kube-apiserver' },
  { kind: 'kubernetes', binary: 'kube-controller-manager', pkg: 'cmd/kube-controller-manager' },
  { kind: 'kubernetes', binary: 'kube-scheduler', pkg: 'cmd/kube-scheduler' },
  { kind: 'kubernetes', binary: 'kubelet', pkg: 'cmd/kubelet' },
  { kind: 'kubernetes', binary: 'kubectl', pkg: 'cmd/kubectl' },
  { kind: 'kubernetes', binary: 'agnhost', pkg: 'test/images/agnhost' },
  // etcd's main package is the root of its server module.
  { kind: 'module', binary: 'etcd', pkg: 'go.etcd.io/etcd/server/v3', version: ETCD_VERSION },
  {
    kind: 'install',
    binary: 'crictl',
    pkg: 'sigs.k8s.io/cri-tools/cmd/crictl',
    version: CRI_TOOLS_VERSION,
  },
  // critest is the CRI validation suite compiled as a Go test binary, as cri-tools' Makefile
  // does (`go test -c ./cmd/critest`); its version is stamped without the leading "v".
  {
    kind: 'test',
    binary: 'critest',
    pkg: 'sigs.k8s.io/cri-tools/cmd/critest',
    version: CRI_TOOLS_VERSION,
    ldflags: `-s -w -X sigs.k8s.io/cri-tools/pkg/version.Version=${CRI_TOOLS_VERSION.slice(1)}`,
  },
];

export const LAB_BINARIES: readonly LabBinary[] = BINARY_SOURCES.map((source) => source.binary);

/** `v1.37.2` → the staging modules' `v0.37.2`. */
export function stagingVersion(kubernetesVersion: string): string {
  const match = /^v1\.(\d+)\.(\d+)$/.exec(kubernetesVersion);
  if (!match) throw new Error(`unsupported Kubernetes version "${kubernetesVersion}"`);
  return `v0.${match[1]}.${match[2]}`;
}

import { LAB_NETWORK } from '../config/network-plan.ts';

export interface CertificateSpec {
  /** File stem in the PKI dir: `<name>.crt`, `<name>.key`. */
  name: string;
  commonName: string;
  /** Kubernetes reads O as the user's groups. */
  organization?: string;
  usage: 'server' | 'client';
  /** The CA that signs it (default: the lab CA). */
  signer?: typeof CA_NAME | typeof FRONT_PROXY_CA_NAME;
  dnsNames?: readonly string[];
  ipAddresses?: readonly string[];
}

export const CA_COMMON_NAME = 'loom-lab-ca';
export const CA_NAME = 'ca';
/** A second CA, as kubeadm has: it vouches only for the API server's aggregation proxy. */
export const FRONT_PROXY_CA_NAME = 'front-proxy-ca';
export const FRONT_PROXY_CLIENT_CN = 'front-proxy-client';
export const SERVICE_ACCOUNT_KEY_NAME = 'sa';

/** Every certificate the control plane uses, all signed by the lab's one CA. */
export function labCertificates(): CertificateSpec[] {
  const domain = LAB_NETWORK.clusterDomain;
  return [
    {
      name: 'apiserver',
      commonName: 'kube-apiserver',
      usage: 'server',
      dnsNames: [
        'kubernetes',
        'kubernetes.default',
        'kubernetes.default.svc',
        `kubernetes.default.svc.${domain}`,
        'localhost',
      ],
      ipAddresses: [LAB_NETWORK.apiServiceIp, LAB_NETWORK.controlPlaneIp, '127.0.0.1'],
    },
    // The API server's identity towards kubelets (logs, exec, port-forward).
    {
      name: 'apiserver-kubelet-client',
      commonName: 'kube-apiserver-kubelet-client',
      organization: 'system:masters',
      usage: 'client',
    },
    {
      name: 'admin',
      commonName: 'kubernetes-admin',
      organization: 'system:masters',
      usage: 'client',
    },
    // These CNs are the users the built-in RBAC roles are bound to.
    { name: 'controller-manager', commonName: 'system:kube-controller-manager', usage: 'client' },
    { name: 'scheduler', commonName: 'system:kube-scheduler', usage: 'client' },
    // How the API server proxies to aggregated APIs; its CA also fills the requestheader
    // bundle every component reads (without it they log "missing content for CA bundle").
    {
      name: 'front-proxy-client',
      commonName: FRONT_PROXY_CLIENT_CN,
      usage: 'client',
      signer: FRONT_PROXY_CA_NAME,
    },
  ];
}

/** `-subj` argument of `openssl req`. */
export function subjectOf(spec: Pick<CertificateSpec, 'commonName' | 'organization'>): string {
  const escapeRdn = (value: string) => value.replace(/[/\\]/g, (char) => `\\${char}`);
  const org = spec.organization ? `/O=${escapeRdn(spec.organization)}` : '';
  return `/CN=${escapeRdn(spec.commonName)}${org}`;
}

/** The `openssl req -x509` config of the self-signed CA (no defaults from openssl.cnf). */
export function renderCaConfig(commonName: string = CA_COMMON_NAME): string {
  return [
    '[req]',
    'distinguished_name = dn',
    'prompt = no',
    'x509_extensions = ext',
    '',
    '[dn]',
    `CN = ${commonName}`,
    '',
    '[ext]',
    'basicConstraints = critical, CA:TRUE',
    'keyUsage = critical, digitalSignature, keyEncipherment, keyCertSign',
    'subjectKeyIdentifier = hash',
    '',
  ].join('\n');
}

/** The `-extfile` of `openssl x509 -req` for a leaf: only what is written here is added. */
export function renderLeafExtensions(spec: CertificateSpec): string {
  const lines = [
    '[ext]',
    'basicConstraints = critical, CA:FALSE',
    'keyUsage = critical, digitalSignature, keyEncipherment',
    `extendedKeyUsage = ${spec.usage === 'server' ? 'serverAuth' : 'clientAuth'}`,
    'authorityKeyIdentifier = keyid',
  ];
  const names = [
    ...(spec.dnsNames ?? []).map((name) => `DNS:${name}`),
    ...(spec.ipAddresses ?? []).map((ip) => `IP:${ip}`),
  ];
  if (names.length > 0) lines.push(`subjectAltName = ${names.join(', ')}`);
  return `${lines.join('\n')}\n`;
}

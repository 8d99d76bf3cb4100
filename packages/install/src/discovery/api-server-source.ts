import {
  type EndpointSlice,
  type KubeClient,
  SERVICE_NAME_LABEL,
  tryParseIp,
} from '@loom-net/core';
import { getOptional, listOptional } from '../cluster/kube-calls.ts';
import type { DiscoveredFact } from './discovered-fact.ts';

/** Where Loom's node daemons reach the API server: its real address, never a Service IP,
 * since before Loom's service proxy runs (or without kube-proxy) nothing serves the ClusterIP. */
export interface ApiServerAddress {
  readonly host: string;
  readonly port: number;
}

interface EndpointsObject {
  subsets?: Array<{
    addresses?: Array<{ ip?: string }>;
    ports?: Array<{ name?: string; port?: number }>;
  }>;
}

/** What each source offered, in the order they are preferred. */
export interface ApiServerCandidates {
  /** The kubeconfig's `server` URL. */
  readonly kubeconfigServer: string;
  /** kubeadm's `controlPlaneEndpoint` (`host:port`, or `host` meaning port 6443). */
  readonly controlPlaneEndpoint?: string;
  readonly endpointSlices?: readonly EndpointSlice[];
  readonly endpoints?: EndpointsObject;
}

/**
 * Picks the API server's address: the kubeconfig's server unless it is a loopback (kind and
 * the lab publish the API server on 127.0.0.1 of the machine, which a node cannot reach);
 * then kubeadm's controlPlaneEndpoint when it is an IP; then the `kubernetes` Service's
 * endpoints in `default` (the API server writes its own advertise address there); then a
 * controlPlaneEndpoint that is a name. Undefined when nothing usable is found.
 */
export function pickApiServerAddress(
  candidates: ApiServerCandidates,
): DiscoveredFact<ApiServerAddress> | undefined {
  const fromUrl = hostPortOfUrl(candidates.kubeconfigServer);
  if (fromUrl && !isLoopback(fromUrl.host)) {
    return { value: fromUrl, source: `kubeconfig server ${candidates.kubeconfigServer}` };
  }
  const endpoint =
    candidates.controlPlaneEndpoint && hostPortOf(candidates.controlPlaneEndpoint, 6443);
  const kubeadm = endpoint && {
    value: endpoint,
    source: `kubeadm-config controlPlaneEndpoint ${candidates.controlPlaneEndpoint}`,
  };
  if (kubeadm && tryParseIp(kubeadm.value.host) && !isLoopback(kubeadm.value.host)) return kubeadm;
  const slice = fromEndpointSlices(candidates.endpointSlices ?? []);
  if (slice) return { value: slice, source: 'EndpointSlice default/kubernetes' };
  const legacy = fromEndpoints(candidates.endpoints);
  if (legacy) return { value: legacy, source: 'Endpoints default/kubernetes' };
  if (kubeadm && !isLoopback(kubeadm.value.host)) return kubeadm;
  return undefined;
}

export async function discoverApiServer(
  client: KubeClient,
  controlPlaneEndpoint?: string,
): Promise<DiscoveredFact<ApiServerAddress> | undefined> {
  const [endpointSlices, endpoints] = await Promise.all([
    listOptional<EndpointSlice>(
      client,
      '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices',
      {
        labelSelector: `${SERVICE_NAME_LABEL}=kubernetes`,
      },
    ),
    getOptional<EndpointsObject>(client, '/api/v1/namespaces/default/endpoints/kubernetes'),
  ]);
  return pickApiServerAddress({
    kubeconfigServer: client.server,
    ...(controlPlaneEndpoint ? { controlPlaneEndpoint } : {}),
    ...(endpointSlices ? { endpointSlices } : {}),
    ...(endpoints ? { endpoints } : {}),
  });
}

function fromEndpointSlices(slices: readonly EndpointSlice[]): ApiServerAddress | undefined {
  for (const slice of slices) {
    if (slice.addressType === 'FQDN') continue;
    const port =
      (slice.ports ?? []).find((p) => p.name === 'https')?.port ?? slice.ports?.[0]?.port;
    const ready = (slice.endpoints ?? []).find((e) => e.conditions?.ready !== false);
    const host = ready?.addresses[0];
    if (host && port) return { host, port };
  }
  return undefined;
}

function fromEndpoints(endpoints: EndpointsObject | undefined): ApiServerAddress | undefined {
  for (const subset of endpoints?.subsets ?? []) {
    const host = subset.addresses?.[0]?.ip;
    const port =
      (subset.ports ?? []).find((p) => p.name === 'https')?.port ?? subset.ports?.[0]?.port;
    if (host && port) return { host, port };
  }
  return undefined;
}

function hostPortOfUrl(url: string): ApiServerAddress | undefined {
  try {
    const parsed = new URL(url);
    const port = Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80));
    return { host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'), port };
  } catch {
    return undefined;
  }
}

/** `host:port`, `[v6]:port`, or a bare host taking `defaultPort`. */
export function hostPortOf(text: string, defaultPort: number): ApiServerAddress | undefined {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (bracketed) return { host: bracketed[1] ?? '', port: Number(bracketed[2] ?? defaultPort) };
  if (tryParseIp(text)) return { host: text, port: defaultPort };
  const match = /^([^:]+)(?::(\d+))?$/.exec(text);
  if (!match) return undefined;
  return { host: match[1] ?? '', port: Number(match[2] ?? defaultPort) };
}

export function isLoopback(host: string): boolean {
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  const ip = tryParseIp(host);
  if (!ip) return false;
  return ip.family === 4 ? ip.value >> 24n === 127n : ip.value === 1n;
}

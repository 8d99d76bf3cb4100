import type { KubeClient } from '@loom-net/core';
import { load } from 'js-yaml';
import { getOptional } from '../cluster/kube-calls.ts';
import { isCidrText } from './cidr-text.ts';
import type { DiscoveredFact } from './discovered-fact.ts';

/** What a kubeadm cluster's ClusterConfiguration says about its network. */
export interface KubeadmNetworking {
  readonly podSubnet?: DiscoveredFact<string[]>;
  readonly serviceSubnet?: DiscoveredFact<string[]>;
  /** `host:port` or `host`, as the admin wrote it (a load balancer or DNS name). */
  readonly controlPlaneEndpoint?: DiscoveredFact<string>;
  /** Things in the ConfigMap that could not be used, for the report. */
  readonly problems: readonly string[];
}

interface ConfigMapObject {
  data?: Record<string, string>;
}

const SOURCE = 'ConfigMap kube-system/kubeadm-config';

/**
 * Reads `ClusterConfiguration` from the `kubeadm-config` ConfigMap's data: kubeadm stores it
 * there as YAML; `networking.podSubnet` and `serviceSubnet` hold one CIDR or a comma-separated
 * dual-stack pair. Values that do not parse are reported, not used.
 */
export function kubeadmNetworkingFrom(configMap: ConfigMapObject): KubeadmNetworking {
  const text = configMap.data?.ClusterConfiguration;
  if (text === undefined) return { problems: [`${SOURCE} has no ClusterConfiguration key`] };
  let parsed: unknown;
  try {
    parsed = load(text);
  } catch (error) {
    return {
      problems: [`${SOURCE}: ClusterConfiguration is not YAML: ${(error as Error).message}`],
    };
  }
  const config = (parsed ?? {}) as {
    networking?: { podSubnet?: unknown; serviceSubnet?: unknown };
    controlPlaneEndpoint?: unknown;
  };
  const problems: string[] = [];
  const subnet = (field: 'podSubnet' | 'serviceSubnet') => {
    const raw = config.networking?.[field];
    if (raw === undefined || raw === '') return undefined;
    const cidrs = String(raw)
      .split(',')
      .map((part) => part.trim());
    const bad = cidrs.find((cidr) => !isCidrText(cidr));
    if (bad !== undefined) {
      problems.push(`${SOURCE}: networking.${field} ${JSON.stringify(raw)} is not a CIDR list`);
      return undefined;
    }
    return { value: cidrs, source: `${SOURCE} networking.${field}` };
  };
  const endpoint =
    typeof config.controlPlaneEndpoint === 'string' && config.controlPlaneEndpoint !== ''
      ? { value: config.controlPlaneEndpoint, source: `${SOURCE} controlPlaneEndpoint` }
      : undefined;
  return {
    ...optional('podSubnet', subnet('podSubnet')),
    ...optional('serviceSubnet', subnet('serviceSubnet')),
    ...optional('controlPlaneEndpoint', endpoint),
    problems,
  };
}

/** Undefined when the cluster was not made by kubeadm (no such ConfigMap). */
export async function discoverKubeadmNetworking(
  client: KubeClient,
): Promise<KubeadmNetworking | undefined> {
  const configMap = await getOptional<ConfigMapObject>(
    client,
    '/api/v1/namespaces/kube-system/configmaps/kubeadm-config',
  );
  return configMap ? kubeadmNetworkingFrom(configMap) : undefined;
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

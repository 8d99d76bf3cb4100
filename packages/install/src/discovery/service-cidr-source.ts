import type { KubeClient } from '@loom-net/core';
import { listOptional } from '../cluster/kube-calls.ts';
import { isCidrText } from './cidr-text.ts';
import type { DiscoveredFact } from './discovered-fact.ts';

/** A `networking.k8s.io/v1` ServiceCIDR (GA in Kubernetes 1.33), reduced to what Loom reads. */
export interface ServiceCidrObject {
  metadata?: { name?: string; deletionTimestamp?: string };
  spec?: { cidrs?: string[] };
}

/** The API server creates this one from its `--service-cluster-ip-range`. */
export const DEFAULT_SERVICE_CIDR_NAME = 'kubernetes';

/**
 * The service CIDRs the ServiceCIDR objects declare: the `kubernetes` default one first (it is
 * the flag's), then others an administrator added, one entry per CIDR (dual-stack gives two).
 * Objects being deleted no longer allocate and are left out.
 */
export function serviceCidrsFrom(
  objects: readonly ServiceCidrObject[],
): DiscoveredFact<string[]> | undefined {
  const live = objects.filter((object) => !object.metadata?.deletionTimestamp);
  const ordered = [
    ...live.filter((o) => o.metadata?.name === DEFAULT_SERVICE_CIDR_NAME),
    ...live.filter((o) => o.metadata?.name !== DEFAULT_SERVICE_CIDR_NAME),
  ];
  const cidrs: string[] = [];
  const names: string[] = [];
  for (const object of ordered) {
    const valid = (object.spec?.cidrs ?? []).filter((text) => isCidrText(text));
    if (valid.length === 0) continue;
    names.push(object.metadata?.name ?? '?');
    for (const cidr of valid) if (!cidrs.includes(cidr)) cidrs.push(cidr);
  }
  if (cidrs.length === 0) return undefined;
  return { value: cidrs, source: `ServiceCIDR ${names.join(', ')}` };
}

/** Reads the ServiceCIDR objects; undefined when the API server does not serve them (< 1.33). */
export async function discoverServiceCidrs(
  client: KubeClient,
): Promise<DiscoveredFact<string[]> | undefined> {
  const objects = await listOptional<ServiceCidrObject>(
    client,
    '/apis/networking.k8s.io/v1/servicecidrs',
  );
  return objects ? serviceCidrsFrom(objects) : undefined;
}

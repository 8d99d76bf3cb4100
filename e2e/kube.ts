import type { Node as KubeNode, Pod as KubePod, ObjectMeta } from '@loom-net/core';
import type { ClusterDriver } from './drivers/cluster-driver.ts';

/** `kubectl get … -o json`, parsed; throws with kubectl's message. */
export async function getJson<T>(driver: ClusterDriver, args: readonly string[]): Promise<T> {
  const result = await driver.kubectl(['get', ...args, '-o', 'json']);
  if (result.exitCode !== 0) throw new Error(`kubectl get ${args.join(' ')}: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

/** A Pod as `kubectl get -o json` returns it: core's Pod, with the fields the specs read. */
export interface Pod extends KubePod {
  metadata: ObjectMeta & { name: string; namespace: string; uid: string };
  spec: NonNullable<KubePod['spec']>;
  status: NonNullable<KubePod['status']> & {
    conditions?: { type: string; status: string }[];
    containerStatuses?: {
      name: string;
      ready: boolean;
      started?: boolean;
      restartCount: number;
      state?: { running?: object; waiting?: { reason?: string } };
    }[];
  };
}

/** A Node as `kubectl get -o json` returns it: core's Node, with every field the specs read. */
export interface Node extends KubeNode {
  metadata: ObjectMeta & { name: string };
  spec: NonNullable<KubeNode['spec']>;
  status: NonNullable<KubeNode['status']> & {
    nodeInfo: { kubeletVersion: string; containerRuntimeVersion: string };
  };
}

export function condition(object: Pod | Node, type: string): string | undefined {
  return object.status.conditions?.find((c) => c.type === type)?.status;
}

export const isReady = (object: Pod | Node): boolean => condition(object, 'Ready') === 'True';

/** Whether `ip` (IPv4) is inside `cidr`. */
export function inCidr(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/');
  const toInt = (address: string) =>
    address.split('.').reduce((value, octet) => (value << 8) + Number(octet), 0) >>> 0;
  const mask = Number(bits) === 0 ? 0 : (~0 << (32 - Number(bits))) >>> 0;
  return (toInt(ip) & mask) >>> 0 === (toInt(base!) & mask) >>> 0;
}

/**
 * Creates a namespace and waits for its `default` ServiceAccount: until the controller
 * manager has made it, every pod created there is refused.
 */
export async function createNamespace(driver: ClusterDriver, name: string): Promise<void> {
  await driver.apply([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }]);
  const deadline = Date.now() + 30_000;
  while ((await driver.kubectl(['get', 'serviceaccount', '-n', name, 'default'])).exitCode !== 0) {
    if (Date.now() > deadline) throw new Error(`namespace ${name} got no default ServiceAccount`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export async function deleteNamespace(driver: ClusterDriver, name: string): Promise<void> {
  await driver.kubectl(['delete', 'namespace', name, '--ignore-not-found', '--wait=false']);
}

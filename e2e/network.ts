import type { ClusterDriver } from './drivers/cluster-driver.ts';
import { getJson, isReady, type Node, type Pod } from './kube.ts';
import { NETEXEC_ARGS, pod } from './manifests.ts';

/** The routing protocol id Loom's route agent marks its routes with (`ip route show proto 76`). */
export const AGENT_PROTOCOL = '76';

/** One entry of `ip -json route`. */
export interface IpRoute {
  dst: string;
  gateway?: string;
  dev?: string;
  protocol?: string;
  flags?: string[];
}

/** The node's main routing table, as `ip -json route` prints it there. */
export async function routesOn(driver: ClusterDriver, node: string): Promise<IpRoute[]> {
  const result = await driver.exec(node, ['ip', '-json', 'route']);
  if (result.exitCode !== 0) throw new Error(`ip route on ${node}: ${result.stderr}`);
  return JSON.parse(result.stdout) as IpRoute[];
}

/** The routes Loom's agent owns on the node, as `dst via gateway [dev]` text, sorted. */
export async function agentRoutesOn(driver: ClusterDriver, node: string): Promise<string[]> {
  return (await routesOn(driver, node))
    .filter((route) => route.protocol === AGENT_PROTOCOL)
    .map((route) => `${route.dst} via ${route.gateway}${route.dev ? ` dev ${route.dev}` : ''}`)
    .sort();
}

export function internalIp(node: Node): string {
  const address = node.status.addresses?.find((a) => a.type === 'InternalIP')?.address;
  if (!address) throw new Error(`node ${node.metadata.name} has no InternalIP`);
  return address;
}

/** `<podCIDR> via <InternalIP> dev <underlay>` for every node but `self`: what direct routing wants. */
export async function directRoutesFor(
  driver: ClusterDriver,
  self: string,
  dev = 'eth0',
): Promise<string[]> {
  const nodes = (await getJson<{ items: Node[] }>(driver, ['nodes'])).items;
  return nodes
    .filter((node) => node.metadata.name !== self && node.spec.podCIDR)
    .map((node) => `${node.spec.podCIDR} via ${internalIp(node)} dev ${dev}`)
    .sort();
}

/** agnhost netexec pods pinned to `nodes`, named `<prefix>-<node>`, Ready; resolves with them. */
export async function netexecPods(
  driver: ClusterDriver,
  namespace: string,
  prefix: string,
  nodes: readonly string[],
): Promise<Map<string, Pod>> {
  const name = (node: string) => `${prefix}-${node}`;
  await driver.apply(
    nodes.map((node) => pod({ namespace, name: name(node), args: NETEXEC_ARGS, node })),
  );
  const pods = new Map<string, Pod>();
  const deadline = Date.now() + 90_000;
  // A poll of our own: this runs in beforeAll hooks, where expect.poll is not available.
  while (pods.size < nodes.length) {
    if (Date.now() > deadline) {
      const waiting = nodes.filter((node) => !pods.has(node)).map(name);
      throw new Error(`pods ${waiting.join(', ')} in ${namespace} not Ready within 90s`);
    }
    for (const node of nodes) {
      const found = await getJson<Pod>(driver, ['pod', '-n', namespace, name(node)]);
      if (isReady(found)) pods.set(node, found);
    }
    if (pods.size < nodes.length) await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return pods;
}

/**
 * The source address agnhost netexec at `serverIp` saw for a request from `from`: a pod
 * (`NAMESPACE/POD`), or a node with the pod's network namespace path (which needs no API
 * server to find).
 */
export async function clientIpSeenBy(
  driver: ClusterDriver,
  from: string | { node: string; netns: string },
  serverIp: string,
): Promise<string> {
  const curl = ['curl', '-sS', '--max-time', '5', `http://${serverIp}:8080/clientip`];
  const result =
    typeof from === 'string'
      ? await driver.exec(from, curl)
      : await driver.exec(from.node, ['nsenter', `--net=${from.netns}`, '--', ...curl]);
  if (result.exitCode !== 0) {
    const where = typeof from === 'string' ? from : from.netns;
    throw new Error(`curl ${serverIp} from ${where}: ${result.stderr.trim()}`);
  }
  return result.stdout.trim().replace(/:\d+$/, '');
}

import type { NodeCommands } from './node-commands.ts';

interface SandboxInspection {
  info?: { runtimeSpec?: { linux?: { namespaces?: { type: string; path?: string }[] } } };
}

/**
 * Where a pod's network lives on kind: its node, and the netns path containerd gave its
 * sandbox (`/var/run/netns/cni-…`), found with crictl by the pod's UID (exact, unlike crictl's
 * name filter, which is a regular expression).
 */
export async function podSandboxNetns(
  commands: NodeCommands,
  namespace: string,
  pod: string,
): Promise<{ node: string; netns: string }> {
  const { must, kubectl, onNode } = commands;
  const json = await must(
    `find pod ${namespace}/${pod}`,
    kubectl(['get', 'pod', '-n', namespace, pod, '-o', 'json']),
  );
  const object = JSON.parse(json) as { metadata: { uid: string }; spec: { nodeName?: string } };
  const node = object.spec.nodeName;
  if (!node) throw new Error(`kind driver: pod ${namespace}/${pod} is not on a node yet`);
  const label = `io.kubernetes.pod.uid=${object.metadata.uid}`;
  const ids = await must(
    `list the sandbox of ${namespace}/${pod}`,
    onNode(node, ['crictl', 'pods', '--label', label, '--state', 'ready', '-q']),
  );
  const id = ids.split('\n').find((line) => line !== '');
  if (!id) throw new Error(`kind driver: pod ${namespace}/${pod} has no ready sandbox on ${node}`);
  const inspection = JSON.parse(
    await must(`inspect sandbox ${id}`, onNode(node, ['crictl', 'inspectp', id])),
  ) as SandboxInspection;
  const namespaces = inspection.info?.runtimeSpec?.linux?.namespaces ?? [];
  const netns = namespaces.find((entry) => entry.type === 'network')?.path;
  if (!netns)
    throw new Error(`kind driver: sandbox ${id} of ${namespace}/${pod} has no network namespace`);
  return { node, netns };
}

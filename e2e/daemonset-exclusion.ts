import type { NodeCommands } from './kind/node-commands.ts';

/** Loom's node DaemonSet, as deploy/ names it. */
export const LOOM_NODE_DAEMONSET = { namespace: 'loom-system', name: 'loom-node' };

type NodeSelectorTerm = { matchExpressions?: object[]; matchFields?: object[] };
export type Affinity = Record<string, unknown> & {
  nodeAffinity?: Record<string, unknown> & {
    requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms: NodeSelectorTerm[] };
  };
};

/**
 * `affinity` with `node` ruled out: every required node selector term also asks for another
 * host name (terms are ORed, so each one needs it).
 */
export function excludeNode(affinity: Affinity | undefined, node: string): Affinity {
  const notThere = { key: 'kubernetes.io/hostname', operator: 'NotIn', values: [node] };
  const required = affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  const terms = required?.nodeSelectorTerms ?? [{}];
  return {
    ...affinity,
    nodeAffinity: {
      ...affinity?.nodeAffinity,
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: terms.map((term) => ({
          ...term,
          matchExpressions: [...(term.matchExpressions ?? []), notThere],
        })),
      },
    },
  };
}

/**
 * Takes Loom's DaemonSet pod off nodes, as if it were gone there (a node affinity rules them
 * out), and puts the DaemonSet back as it was. The kubelet and the DaemonSet controller do the
 * work, so a pod the kubelet would restart stays gone.
 */
export function loomNodeExclusion(commands: Pick<NodeCommands, 'kubectl' | 'must' | 'waitUntil'>) {
  const { namespace, name } = LOOM_NODE_DAEMONSET;
  const { must, kubectl, waitUntil } = commands;
  // The affinity before the first exclusion (what restore() puts back), and the nodes out.
  let original: { affinity: Affinity | undefined } | undefined;
  const excluded: string[] = [];
  const setAffinity = async (affinity: Affinity | undefined) => {
    const path = '/spec/template/spec/affinity';
    const patch =
      affinity === undefined ? [{ op: 'remove', path }] : [{ op: 'add', path, value: affinity }];
    const args = [
      'patch',
      'daemonset',
      '-n',
      namespace,
      name,
      '--type=json',
      '-p',
      JSON.stringify(patch),
    ];
    await must(`patch DaemonSet ${namespace}/${name}`, kubectl(args));
  };
  const podsOn = async (node: string) => {
    const args = [
      'get',
      'pods',
      '-n',
      namespace,
      '--field-selector',
      `spec.nodeName=${node}`,
      '-o',
      'json',
    ];
    const list = JSON.parse(await must(`list ${namespace} pods on ${node}`, kubectl(args))) as {
      items: { metadata: { ownerReferences?: { kind: string; name: string }[] } }[];
    };
    return list.items.filter((pod) =>
      pod.metadata.ownerReferences?.some(
        (owner) => owner.kind === 'DaemonSet' && owner.name === name,
      ),
    ).length;
  };
  return {
    async exclude(node: string): Promise<void> {
      if (original === undefined) {
        const json = await must(
          `read DaemonSet ${namespace}/${name}`,
          kubectl(['get', 'daemonset', '-n', namespace, name, '-o', 'json']),
        );
        const object = JSON.parse(json) as {
          spec: { template: { spec: { affinity?: Affinity } } };
        };
        original = { affinity: object.spec.template.spec.affinity };
      }
      excluded.push(node);
      const base = original.affinity;
      await setAffinity(
        excluded.reduce<Affinity | undefined>((a, out) => excludeNode(a, out), base),
      );
      await waitUntil(`${name} leaving ${node}`, 120_000, async () => (await podsOn(node)) === 0);
    },
    async restore(): Promise<void> {
      if (original === undefined) return;
      await setAffinity(original.affinity);
      original = undefined;
      excluded.length = 0;
      const rollout = ['rollout', 'status', 'daemonset', '-n', namespace, name, '--timeout=180s'];
      await must(`roll out ${namespace}/${name}`, kubectl(rollout, { timeoutMs: 200_000 }));
    },
  };
}

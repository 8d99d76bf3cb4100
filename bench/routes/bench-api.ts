import { type KubeClientConfig, loadKubeConfig } from '@loom-net/core';
import { createFakeApiServer } from '@loom-net/core/testing';
import { labSkipReason, startTestControlPlane } from '@loom-net/lab';

/** The API server the benchmark creates its Nodes on, and how to let go of it. */
export interface BenchApi {
  kubeConfig: KubeClientConfig;
  /** What it is, for the report. */
  description: string;
  close(): Promise<void>;
}

/**
 * `kubeconfig`: a cluster that runs already (the lab's `kubeconfig.host`, …); `lab`: a lab of
 * its own with `nodes` nodes running Loom's CNI (a loom-route-agent per node, as `loom lab up`
 * has), brought up and taken down around the run; `control-plane`: a lab control plane of its
 * own (the real kube-apiserver, etcd and kube-controller-manager, no nodes); `fake`: core's
 * in-process fake API server.
 */
export type BenchApiTarget =
  | { kind: 'kubeconfig'; path: string }
  | { kind: 'lab'; nodes: number }
  | { kind: 'control-plane' }
  | { kind: 'fake' };

export async function openBenchApi(
  target: BenchApiTarget,
  progress: (line: string) => void,
): Promise<BenchApi> {
  if (target.kind === 'kubeconfig') {
    return {
      kubeConfig: loadKubeConfig({ path: target.path }),
      description: `the running cluster of ${target.path}`,
      close: async () => {},
    };
  }
  if (target.kind === 'fake') {
    const fake = await createFakeApiServer();
    return {
      kubeConfig: fake.kubeConfig(),
      description: "core's in-process fake API server",
      close: () => fake.close(),
    };
  }
  const skip = labSkipReason();
  if (skip) throw new Error(`cannot bring up a lab: ${skip}`);
  const nodes = target.kind === 'lab' ? target.nodes : 0;
  const started = performance.now();
  const lab = await startTestControlPlane({
    nodes,
    ...(nodes > 0 ? { cni: 'loom' as const } : {}),
    onProgress: progress,
  });
  const took = ((performance.now() - started) / 1000).toFixed(1);
  const notReady = lab.up.nodes.filter((node) => !node.ready).map((node) => node.name);
  if (notReady.length > 0) {
    await lab.stop();
    throw new Error(`the bench's lab came up with ${notReady.join(', ')} not Ready`);
  }
  const what =
    nodes > 0
      ? `a ${nodes}-node lab of its own (Loom's CNI, a loom-route-agent per node)`
      : 'a lab control plane of its own (no nodes)';
  return {
    kubeConfig: lab.kubeConfig(),
    description: `${what}, up in ${took} s`,
    close: async () => {
      await lab.stop();
    },
  };
}

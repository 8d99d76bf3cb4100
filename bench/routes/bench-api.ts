import type { KubeConfig } from '@kubernetes/client-node';
import { loadKubeConfig } from '@loom-net/core';
import { createFakeApiServer } from '@loom-net/core/testing';
import { labSkipReason, startTestControlPlane } from '@loom-net/lab';

/** The API server the benchmark creates its Nodes on, and how to let go of it. */
export interface BenchApi {
  kubeConfig: KubeConfig;
  /** What it is, for the report. */
  description: string;
  close(): Promise<void>;
}

/**
 * `--kubeconfig`: a cluster that runs already (the lab's `kubeconfig.host`, …); `--fake`:
 * core's in-process fake API server; neither: a lab control plane of its own (the real
 * kube-apiserver and etcd, no nodes), brought up and taken down around the run.
 */
export async function openBenchApi(options: {
  kubeconfig?: string;
  fake?: boolean;
}): Promise<BenchApi> {
  if (options.kubeconfig) {
    return {
      kubeConfig: loadKubeConfig({ path: options.kubeconfig }),
      description: `the cluster of ${options.kubeconfig}`,
      close: async () => {},
    };
  }
  if (options.fake) {
    const fake = await createFakeApiServer();
    return {
      kubeConfig: fake.kubeConfig(),
      description: "core's in-process fake API server",
      close: () => fake.close(),
    };
  }
  const skip = labSkipReason();
  if (skip) throw new Error(`cannot bring up a lab control plane: ${skip}`);
  const started = performance.now();
  const lab = await startTestControlPlane({ nodes: 0 });
  const took = ((performance.now() - started) / 1000).toFixed(1);
  return {
    kubeConfig: lab.kubeConfig(),
    description: `a lab control plane of its own (kube-apiserver ${lab.up.hostApiServer}, up in ${took} s)`,
    close: async () => {
      await lab.stop();
    },
  };
}

import { readFileSync } from 'node:fs';
import { KUBERNETES_VERSION } from '@loom-net/lab';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { KIND_CLUSTER_NAME, KIND_CONFIG } from '../kind-cluster.ts';

interface KindConfig {
  kind: string;
  apiVersion: string;
  name: string;
  networking: Record<string, unknown>;
  nodes: { role: string; image: string; kubeadmConfigPatches?: string[] }[];
}

const config = load(readFileSync(KIND_CONFIG, 'utf8')) as KindConfig;

describe('e2e/kind/cluster.yaml', () => {
  it('is a kind v1alpha4 Cluster named as the driver names it', () => {
    expect(config.kind).toBe('Cluster');
    expect(config.apiVersion).toBe('kind.x-k8s.io/v1alpha4');
    expect(config.name).toBe(KIND_CLUSTER_NAME);
  });

  it('leaves CNI and Service proxying to Loom, with the classic CIDRs', () => {
    expect(config.networking).toEqual({
      disableDefaultCNI: true,
      kubeProxyMode: 'none',
      podSubnet: '10.244.0.0/16',
      serviceSubnet: '10.96.0.0/16',
    });
  });

  it('has one control plane and two workers, all on the node image of the lab’s Kubernetes', () => {
    expect(config.nodes.map((node) => node.role)).toEqual(['control-plane', 'worker', 'worker']);
    for (const node of config.nodes) expect(node.image).toBe(`kindest/node:${KUBERNETES_VERSION}`);
  });

  it('registers the control plane without its NoSchedule taint, so e2e pods run on all three nodes', () => {
    const patches = (config.nodes[0]!.kubeadmConfigPatches ?? []).map((patch) => load(patch));
    expect(patches).toEqual([{ kind: 'InitConfiguration', nodeRegistration: { taints: [] } }]);
  });
});

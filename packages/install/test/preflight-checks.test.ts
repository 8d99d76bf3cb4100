import type { Node } from '@loom-net/core';
import { describe, expect, it } from 'vitest';
import { resolveClusterFacts } from '../src/discovery/cluster-discovery.ts';
import { nodePodCidrFactsFrom } from '../src/discovery/node-pod-cidr-source.ts';
import {
  type DaemonSetRef,
  type PreflightSnapshot,
  preflightChecks,
  worstVerdict,
} from '../src/preflight/preflight-checks.ts';

const waitingForCni = (name: string, podCidr?: string): Node => ({
  metadata: { name },
  spec: podCidr ? { podCIDRs: [podCidr] } : {},
  status: {
    conditions: [
      {
        type: 'Ready',
        status: 'False',
        reason: 'KubeletNotReady',
        message:
          'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized',
      },
    ],
  },
});
const ready = (name: string, podCidr: string): Node => ({
  metadata: { name },
  spec: { podCIDRs: [podCidr] },
  status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady' }] },
});

function snapshot(
  nodes: Node[],
  daemonSets: DaemonSetRef[] = [],
  apiServer = true,
): PreflightSnapshot {
  return {
    server: 'https://127.0.0.1:36443',
    version: 'v1.35.0',
    nodes,
    daemonSets,
    facts: resolveClusterFacts(
      { nodes: nodePodCidrFactsFrom(nodes) },
      apiServer ? { apiServer: { host: '192.168.1.10', port: 6443 } } : {},
    ),
  };
}

const verdicts = (s: PreflightSnapshot) =>
  Object.fromEntries(preflightChecks(s).map((c) => [c.name, c.verdict]));

describe('preflight verdicts', () => {
  it.each([
    {
      name: 'a fresh kind cluster: nodes wait for a CNI, podCIDRs allocated, kube-proxy there',
      snapshot: snapshot(
        [waitingForCni('node1', '10.244.1.0/24')],
        [{ namespace: 'kube-system', name: 'kube-proxy' }],
      ),
      want: {
        'other CNI': 'ok',
        'node network': 'ok',
        'kube-proxy': 'ok',
        podCIDRs: 'ok',
        'address plan': 'ok',
        'API server address': 'ok',
      },
      worst: 'ok',
    },
    {
      name: 'flannel installed, nodes Ready: warn twice',
      snapshot: snapshot(
        [ready('node1', '10.244.1.0/24')],
        [
          { namespace: 'kube-flannel', name: 'kube-flannel-ds' },
          { namespace: 'kube-system', name: 'kube-proxy' },
        ],
      ),
      want: { 'other CNI': 'warn', 'node network': 'warn' },
      worst: 'warn',
    },
    {
      name: 'Loom installed already: Ready nodes are fine',
      snapshot: snapshot(
        [ready('node1', '10.244.1.0/24')],
        [
          { namespace: 'loom-system', name: 'loom-node' },
          { namespace: 'kube-system', name: 'kube-proxy' },
        ],
      ),
      want: { 'node network': 'ok' },
      worst: 'ok',
    },
    {
      name: 'no kube-proxy, no API server address: warnings',
      snapshot: snapshot([waitingForCni('node1', '10.244.1.0/24')], [], false),
      want: { 'kube-proxy': 'warn', 'API server address': 'warn' },
      worst: 'warn',
    },
    {
      name: 'Calico and Cilium are recognised',
      snapshot: snapshot(
        [waitingForCni('node1')],
        [
          { namespace: 'calico-system', name: 'calico-node' },
          { namespace: 'kube-system', name: 'cilium' },
        ],
      ),
      want: { 'other CNI': 'warn' },
      worst: 'warn',
    },
  ])('$name', ({ snapshot, want, worst }) => {
    expect(verdicts(snapshot)).toMatchObject(want);
    expect(worstVerdict(preflightChecks(snapshot))).toBe(worst);
  });

  it.each([
    {
      name: 'a CNI seen only by its pods (a static pod)',
      cniPods: [{ namespace: 'kube-system', name: 'cilium-x1', label: 'cilium' }],
      daemonSets: [],
      detail: /^Cilium \(pod kube-system\/cilium-x1\) is installed/,
    },
    {
      name: 'its DaemonSet and its pods: named once',
      cniPods: [{ namespace: 'kube-flannel', name: 'kube-flannel-ds-abcde', label: 'flannel' }],
      daemonSets: [{ namespace: 'kube-flannel', name: 'kube-flannel-ds' }],
      detail: /^flannel \(DaemonSet kube-flannel\/kube-flannel-ds\) is installed: its config/,
    },
  ])('other CNI: $name', ({ cniPods, daemonSets, detail }) => {
    const check = preflightChecks({
      ...snapshot([waitingForCni('node1')], daemonSets),
      cniPods,
    }).find((c) => c.name === 'other CNI');
    expect(check?.verdict).toBe('warn');
    expect(check?.detail).toMatch(detail);
  });

  it.each([
    {
      name: 'all nodes have one: no allocator',
      nodes: [waitingForCni('node1', '10.244.1.0/24'), waitingForCni('node2', '10.244.2.0/24')],
      detail: /not needed/,
      verdict: 'ok',
    },
    {
      name: 'none has one: the allocator is installed',
      nodes: [waitingForCni('node1'), waitingForCni('node2')],
      detail: /installing loom-pod-cidr-allocator \(from 10\.244\.0\.0\/16, \/24 each\)/,
      verdict: 'ok',
    },
    {
      name: 'some do: assume the cluster allocates',
      nodes: [waitingForCni('node1', '10.244.1.0/24'), waitingForCni('node2')],
      detail: /1 of 2 nodes have one \(not yet: node2\)/,
      verdict: 'warn',
    },
    { name: 'no node: cannot tell', nodes: [], detail: /no node to tell/, verdict: 'warn' },
  ])('podCIDRs: $name', ({ nodes, detail, verdict }) => {
    const check = preflightChecks(snapshot(nodes)).find((c) => c.name === 'podCIDRs');
    expect(check?.verdict).toBe(verdict);
    expect(check?.detail).toMatch(detail);
  });

  it('fails the address plan when a node sits outside the cluster CIDR', () => {
    const nodes = [waitingForCni('node1', '10.50.1.0/24')];
    const s = {
      ...snapshot(nodes),
      facts: resolveClusterFacts(
        { nodes: nodePodCidrFactsFrom(nodes) },
        { clusterCidrs: ['10.244.0.0/16'] },
      ),
    };
    const check = preflightChecks(s).find((c) => c.name === 'address plan');
    expect(check).toEqual({
      name: 'address plan',
      verdict: 'fail',
      detail:
        "cluster 10.244.0.0/16, services 10.96.0.0/12: node node1's podCIDR 10.50.1.0/24 is outside the cluster CIDR 10.244.0.0/16",
    });
    expect(worstVerdict(preflightChecks(s))).toBe('fail');
  });
});

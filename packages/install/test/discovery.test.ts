import type { Node } from '@loom-net/core';
import { describe, expect, it } from 'vitest';
import { pickApiServerAddress } from '../src/discovery/api-server-source.ts';
import { resolveClusterFacts } from '../src/discovery/cluster-discovery.ts';
import { kubeadmNetworkingFrom } from '../src/discovery/kubeadm-config-source.ts';
import { nodePodCidrFactsFrom } from '../src/discovery/node-pod-cidr-source.ts';
import { serviceCidrsFrom } from '../src/discovery/service-cidr-source.ts';

const node = (name: string, ...podCIDRs: string[]): Node => ({
  metadata: { name },
  spec: podCIDRs.length > 0 ? { podCIDRs } : {},
});

const clusterConfiguration = (body: string) => ({ data: { ClusterConfiguration: body } });

describe('ServiceCIDR objects', () => {
  it.each([
    { name: 'none', objects: [], want: undefined },
    {
      name: 'kind: the default one',
      objects: [{ metadata: { name: 'kubernetes' }, spec: { cidrs: ['10.96.0.0/16'] } }],
      want: { value: ['10.96.0.0/16'], source: 'ServiceCIDR kubernetes' },
    },
    {
      name: 'the default first, then extra ones; dual-stack keeps both',
      objects: [
        { metadata: { name: 'extra' }, spec: { cidrs: ['10.100.0.0/16'] } },
        { metadata: { name: 'kubernetes' }, spec: { cidrs: ['10.96.0.0/12', 'fd00:96::/112'] } },
      ],
      want: {
        value: ['10.96.0.0/12', 'fd00:96::/112', '10.100.0.0/16'],
        source: 'ServiceCIDR kubernetes, extra',
      },
    },
    {
      name: 'one being deleted and one malformed are left out',
      objects: [
        {
          metadata: { name: 'old', deletionTimestamp: '2026-01-01T00:00:00Z' },
          spec: { cidrs: ['10.1.0.0/16'] },
        },
        { metadata: { name: 'bad' }, spec: { cidrs: ['10.1.2.3/8'] } },
        { metadata: { name: 'kubernetes' }, spec: { cidrs: ['10.96.0.0/12'] } },
      ],
      want: { value: ['10.96.0.0/12'], source: 'ServiceCIDR kubernetes' },
    },
  ])('$name', ({ objects, want }) => {
    expect(serviceCidrsFrom(objects)).toEqual(want);
  });
});

describe('kubeadm-config ClusterConfiguration', () => {
  const source = 'ConfigMap kube-system/kubeadm-config';
  it.each([
    {
      name: 'kubeadm defaults written out, with an endpoint',
      configMap: clusterConfiguration(
        'controlPlaneEndpoint: lb.example.org:6443\nnetworking:\n  podSubnet: 10.244.0.0/16\n  serviceSubnet: 10.96.0.0/12\n',
      ),
      want: {
        podSubnet: { value: ['10.244.0.0/16'], source: `${source} networking.podSubnet` },
        serviceSubnet: { value: ['10.96.0.0/12'], source: `${source} networking.serviceSubnet` },
        controlPlaneEndpoint: {
          value: 'lb.example.org:6443',
          source: `${source} controlPlaneEndpoint`,
        },
        problems: [],
      },
    },
    {
      name: 'dual-stack subnets are comma-separated',
      configMap: clusterConfiguration(
        'networking:\n  podSubnet: "10.244.0.0/16,fd00:10:244::/56"\n',
      ),
      want: {
        podSubnet: {
          value: ['10.244.0.0/16', 'fd00:10:244::/56'],
          source: `${source} networking.podSubnet`,
        },
        problems: [],
      },
    },
    {
      name: 'a malformed subnet is reported, not used',
      configMap: clusterConfiguration('networking:\n  podSubnet: 10.244.0.0/33\n'),
      want: { problems: [`${source}: networking.podSubnet "10.244.0.0/33" is not a CIDR list`] },
    },
    {
      name: 'no ClusterConfiguration key',
      configMap: { data: {} },
      want: { problems: [`${source} has no ClusterConfiguration key`] },
    },
    {
      name: 'not YAML',
      configMap: clusterConfiguration('networking: [unclosed'),
      want: { problems: [expect.stringMatching(/ClusterConfiguration is not YAML/)] },
    },
  ])('$name', ({ configMap, want }) => {
    expect(kubeadmNetworkingFrom(configMap)).toEqual(want);
  });
});

describe("Nodes' podCIDRs", () => {
  it.each([
    { name: 'no nodes', nodes: [], guess: undefined, allocated: 0 },
    {
      name: 'none allocated',
      nodes: [node('node1'), node('node2')],
      guess: undefined,
      allocated: 0,
    },
    {
      name: 'one node: widened to a /16',
      nodes: [node('node1', '10.244.1.0/24')],
      guess: ['10.244.0.0/16'],
      allocated: 1,
    },
    {
      name: 'spread wider than a /16: their common block',
      nodes: [node('node1', '10.244.1.0/24'), node('node2', '10.245.7.0/24')],
      guess: ['10.244.0.0/15'],
      allocated: 2,
    },
    {
      name: 'dual-stack: one block per family',
      nodes: [
        node('node1', '10.244.1.0/24', 'fd00:10:244:1::/64'),
        node('node2', '10.244.2.0/24', 'fd00:10:244:2::/64'),
      ],
      guess: ['10.244.0.0/16', 'fd00:10:244::/48'],
      allocated: 2,
    },
  ])('$name', ({ nodes, guess, allocated }) => {
    const facts = nodePodCidrFactsFrom(nodes);
    expect(facts.allocated).toBe(allocated);
    expect(facts.clusterCidrGuess?.value).toEqual(guess);
    if (guess) expect(facts.clusterCidrGuess?.caveat).toMatch(/a guess/);
  });
});

describe('the API server address for node daemons', () => {
  const slice = (address: string, port = 6443) => ({
    addressType: 'IPv4' as const,
    endpoints: [{ addresses: [address] }],
    ports: [{ name: 'https', port }],
  });
  it.each([
    {
      name: 'a routable kubeconfig server',
      candidates: { kubeconfigServer: 'https://203.0.113.10:6443' },
      want: ['203.0.113.10:6443', 'kubeconfig server https://203.0.113.10:6443'],
    },
    {
      name: 'default https port',
      candidates: { kubeconfigServer: 'https://api.example.org' },
      want: ['api.example.org:443', 'kubeconfig server https://api.example.org'],
    },
    {
      name: 'loopback (kind, the lab): the kubernetes EndpointSlice',
      candidates: {
        kubeconfigServer: 'https://127.0.0.1:36443',
        endpointSlices: [slice('192.168.1.10')],
      },
      want: ['192.168.1.10:6443', 'EndpointSlice default/kubernetes'],
    },
    {
      name: 'loopback IPv6, then legacy Endpoints',
      candidates: {
        kubeconfigServer: 'https://[::1]:6443',
        endpoints: {
          subsets: [{ addresses: [{ ip: '192.0.2.5' }], ports: [{ name: 'https', port: 443 }] }],
        },
      },
      want: ['192.0.2.5:443', 'Endpoints default/kubernetes'],
    },
    {
      name: 'kubeadm endpoint as an IP beats the endpoints',
      candidates: {
        kubeconfigServer: 'https://localhost:6443',
        controlPlaneEndpoint: '198.51.100.7',
        endpointSlices: [slice('192.168.1.10')],
      },
      want: ['198.51.100.7:6443', 'kubeadm-config controlPlaneEndpoint 198.51.100.7'],
    },
    {
      name: 'kubeadm endpoint as a name comes after the endpoints',
      candidates: {
        kubeconfigServer: 'https://127.0.0.1:6443',
        controlPlaneEndpoint: 'kind-control-plane:6443',
        endpointSlices: [slice('172.18.0.2')],
      },
      want: ['172.18.0.2:6443', 'EndpointSlice default/kubernetes'],
    },
    {
      name: 'only a kubeadm name',
      candidates: {
        kubeconfigServer: 'https://127.0.0.1:6443',
        controlPlaneEndpoint: 'lb.example.org:8443',
      },
      want: ['lb.example.org:8443', 'kubeadm-config controlPlaneEndpoint lb.example.org:8443'],
    },
    {
      name: 'nothing usable',
      candidates: { kubeconfigServer: 'https://127.0.0.1:6443' },
      want: undefined,
    },
  ])('$name', ({ candidates, want }) => {
    const fact = pickApiServerAddress(candidates);
    expect(fact && [`${fact.value.host}:${fact.value.port}`, fact.source]).toEqual(want);
  });
});

describe('choosing each fact', () => {
  const nodes = nodePodCidrFactsFrom([node('node1', '10.244.1.0/24')]);
  const kubeadm = kubeadmNetworkingFrom(
    clusterConfiguration(
      'networking:\n  podSubnet: 10.244.0.0/16\n  serviceSubnet: 10.96.0.0/12\n',
    ),
  );
  const serviceCidrObjects = { value: ['10.96.0.0/16'], source: 'ServiceCIDR kubernetes' };
  it.each([
    {
      name: 'flags win',
      sources: { nodes, kubeadm, serviceCidrObjects },
      overrides: { clusterCidrs: ['10.200.0.0/16'], serviceCidrs: ['10.32.0.0/16'] },
      want: ['--cluster-cidr', '--service-cidr'],
    },
    {
      name: 'kubeadm pod subnet, ServiceCIDR objects over kubeadm',
      sources: { nodes, kubeadm, serviceCidrObjects },
      overrides: {},
      want: ['ConfigMap kube-system/kubeadm-config networking.podSubnet', 'ServiceCIDR kubernetes'],
    },
    {
      name: 'nodes only: a guess, and the kubeadm default',
      sources: { nodes },
      overrides: {},
      want: ['spec.podCIDRs of 1 node(s)', "kubeadm's default"],
    },
    {
      name: 'nothing at all: defaults',
      sources: { nodes: nodePodCidrFactsFrom([]) },
      overrides: {},
      want: ["Loom's default", "kubeadm's default"],
    },
  ])('$name', ({ sources, overrides, want }) => {
    const facts = resolveClusterFacts(sources, overrides);
    expect([facts.clusterCidrs.source, facts.serviceCidrs.source]).toEqual(want);
  });

  it('reports a node outside the cluster CIDR and overlapping cluster and service CIDRs', () => {
    const facts = resolveClusterFacts(
      { nodes: nodePodCidrFactsFrom([node('node1', '10.200.1.0/24')]) },
      { clusterCidrs: ['10.96.0.0/11'] },
    );
    expect(facts.problems).toEqual([
      'cluster CIDR 10.96.0.0/11 overlaps service CIDR 10.96.0.0/12',
      "node node1's podCIDR 10.200.1.0/24 is outside the cluster CIDR 10.96.0.0/11",
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import {
  type EndpointSlice,
  endpointSliceServiceKey,
  hasPodCidrs,
  type Node,
  nodePodCidrs,
  type Pod,
  podIps,
  type Service,
  serviceClusterIps,
  slimNode,
} from '../../src/kube/index.ts';
import { formatCidr } from '../../src/net/index.ts';

const nodeWith = (spec: Node['spec']): Node => ({ metadata: { name: 'node1' }, spec });

describe('nodePodCidrs', () => {
  it.each([
    {
      name: 'reads spec.podCIDRs, one per family, in order',
      spec: { podCIDR: '10.244.1.0/24', podCIDRs: ['10.244.1.0/24', 'fd00:10:244:1::/64'] },
      cidrs: ['10.244.1.0/24', 'fd00:10:244:1::/64'],
      problems: [],
    },
    {
      name: 'falls back to the legacy spec.podCIDR',
      spec: { podCIDR: '10.244.9.0/24' },
      cidrs: ['10.244.9.0/24'],
      problems: [],
    },
    {
      name: 'prefers podCIDRs when both disagree',
      spec: { podCIDR: '10.244.9.0/24', podCIDRs: ['10.244.1.0/24'] },
      cidrs: ['10.244.1.0/24'],
      problems: [],
    },
    { name: 'has none on a new Node', spec: {}, cidrs: [], problems: [] },
    { name: 'has none without a spec', spec: undefined, cidrs: [], problems: [] },
    {
      name: 'reports an entry with host bits under its field path, and leaves it out',
      spec: { podCIDRs: ['10.244.2.1/24'] },
      cidrs: [],
      problems: [
        'spec.podCIDRs[0]: "10.244.2.1/24" is not a valid CIDR: host bits are set (did you mean 10.244.2.0/24?)',
      ],
    },
    {
      name: 'reports a legacy field it cannot parse under its own name',
      spec: { podCIDR: 'ten/24' },
      cidrs: [],
      problems: ['spec.podCIDR: "ten/24" is not a valid CIDR: "ten" is not an IP address'],
    },
  ])('$name', ({ spec, cidrs, problems }) => {
    const parsed = nodePodCidrs(nodeWith(spec));
    expect(parsed.cidrs.map(formatCidr)).toEqual(cidrs);
    expect(parsed.problems).toEqual(problems);
  });

  it('counts a block written with host bits as taken when asked to (an allocator)', () => {
    const parsed = nodePodCidrs(nodeWith({ podCIDRs: ['10.244.2.1/24', 'nonsense'] }), {
      maskHostBits: true,
    });
    expect(parsed.cidrs.map(formatCidr)).toEqual(['10.244.2.0/24']);
    expect(parsed.problems).toHaveLength(2);
  });

  it.each([
    { spec: {}, has: false },
    { spec: { podCIDR: '10.244.1.0/24' }, has: true },
    { spec: { podCIDRs: ['garbage'] }, has: true },
    { spec: { podCIDRs: [] }, has: false },
  ])('hasPodCidrs($spec) is $has', ({ spec, has }) => {
    expect(hasPodCidrs(nodeWith(spec))).toBe(has);
  });
});

describe('serviceClusterIps', () => {
  it.each([
    {
      spec: { clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10', 'fd00:96::a'] },
      ips: ['10.96.0.10', 'fd00:96::a'],
    },
    { spec: { clusterIP: '10.96.0.10' }, ips: ['10.96.0.10'] },
    { spec: { clusterIP: 'None', clusterIPs: ['None'] }, ips: [] },
    { spec: { type: 'ExternalName' as const, externalName: 'example.org' }, ips: [] },
  ])('$spec → $ips', ({ spec, ips }) => {
    const service: Service = { metadata: { name: 'dns', namespace: 'kube-system' }, spec };
    expect(serviceClusterIps(service)).toEqual(ips);
  });
});

describe('endpointSliceServiceKey', () => {
  const slice = (labels?: Record<string, string>): EndpointSlice => ({
    metadata: { name: 'web-x1', namespace: 'shop', labels },
    addressType: 'IPv4',
    endpoints: null,
  });

  it('is the namespace/name of the Service in the slice label', () => {
    expect(endpointSliceServiceKey(slice({ 'kubernetes.io/service-name': 'web' }))).toBe(
      'shop/web',
    );
  });

  it('is undefined for a slice no Service owns', () => {
    expect(endpointSliceServiceKey(slice())).toBeUndefined();
  });
});

describe('podIps', () => {
  it.each([
    {
      status: { podIP: '10.244.1.5', podIPs: [{ ip: '10.244.1.5' }, { ip: 'fd00::5' }] },
      ips: ['10.244.1.5', 'fd00::5'],
    },
    { status: { podIP: '10.244.1.5' }, ips: ['10.244.1.5'] },
    { status: {}, ips: [] },
    { status: undefined, ips: [] },
  ])('$status → $ips', ({ status, ips }) => {
    const pod: Pod = { metadata: { name: 'p', namespace: 'ns' }, status };
    expect(podIps(pod)).toEqual(ips);
  });
});

describe('slimNode', () => {
  it('keeps metadata, spec and addresses, and drops the rest of the status', () => {
    const node = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'node1', resourceVersion: '7', labels: { zone: 'a' } },
      spec: { podCIDRs: ['10.244.1.0/24'], taints: [{ key: 'k', effect: 'NoSchedule' }] },
      status: {
        addresses: [{ type: 'InternalIP', address: '192.0.2.11' }],
        conditions: [{ type: 'Ready', status: 'True' }],
        nodeInfo: { kubeletVersion: 'v1.34.1' },
        images: [{ names: ['registry.example.org/app:1'], sizeBytes: 1 }],
      },
    };
    expect(slimNode(node)).toEqual({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: node.metadata,
      spec: node.spec,
      status: { addresses: [{ type: 'InternalIP', address: '192.0.2.11' }] },
    });
    expect(slimNode({ metadata: { name: 'bare' } })).toEqual({
      metadata: { name: 'bare' },
      status: {},
    });
  });
});

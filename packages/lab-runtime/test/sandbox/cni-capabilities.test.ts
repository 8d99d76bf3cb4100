import { describe, expect, it } from 'vitest';
import type { PodSandboxConfig } from '../../src/cri/cri-types.ts';
import {
  capabilityArgsFor,
  cniArgsFor,
  parseQuantity,
} from '../../src/sandbox/cni-capabilities.ts';

function sandboxConfig(extra: Partial<PodSandboxConfig> = {}): PodSandboxConfig {
  return {
    metadata: { name: 'web', namespace: 'shop', uid: 'u-1', attempt: 0 },
    hostname: 'web',
    log_directory: '',
    dns_config: null,
    port_mappings: [],
    labels: {},
    annotations: {},
    linux: null,
    ...extra,
  };
}

describe('capabilities and CNI_ARGS (containerd cniNamespaceOpts)', () => {
  it('sends the pod labels in the order containerd documents', () => {
    expect(cniArgsFor('sb1', sandboxConfig())).toEqual([
      ['IgnoreUnknown', '1'],
      ['K8S_POD_NAMESPACE', 'shop'],
      ['K8S_POD_NAME', 'web'],
      ['K8S_POD_INFRA_CONTAINER_ID', 'sb1'],
      ['K8S_POD_UID', 'u-1'],
    ]);
  });

  it('maps host ports, bandwidth, DNS and annotations', () => {
    const args = capabilityArgsFor(
      sandboxConfig({
        port_mappings: [
          { protocol: 'TCP', container_port: 8080, host_port: 80, host_ip: '' },
          { protocol: 'UDP', container_port: 53, host_port: 0, host_ip: '' },
        ],
        annotations: { 'kubernetes.io/ingress-bandwidth': '10M' },
        dns_config: { servers: ['192.0.2.10'], searches: ['shop.svc.cluster.local'], options: [] },
      }),
    );
    expect(args).toEqual({
      'io.kubernetes.cri.pod-annotations': { 'kubernetes.io/ingress-bandwidth': '10M' },
      portMappings: [{ hostPort: 80, containerPort: 8080, protocol: 'tcp' }],
      bandwidth: { ingressRate: 10_000_000, ingressBurst: 4294967295 },
      dns: { servers: ['192.0.2.10'], searches: ['shop.svc.cluster.local'], options: [] },
    });
  });

  it('rejects an unreasonable bandwidth as Kubernetes does', () => {
    const config = sandboxConfig({ annotations: { 'kubernetes.io/egress-bandwidth': '10' } });
    expect(() => capabilityArgsFor(config)).toThrow(/unreasonably small/);
  });

  it.each([
    { text: '10M', value: 10_000_000 },
    { text: '1Gi', value: 2 ** 30 },
    { text: '1.5k', value: 1500 },
    { text: '1e3', value: 1000 },
  ])('parses the quantity $text', ({ text, value }) => {
    expect(parseQuantity(text)).toBe(value);
  });
});

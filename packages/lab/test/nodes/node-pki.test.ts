import { describe, expect, it } from 'vitest';
import { nodeObject } from '../../src/nodes/node-objects.ts';
import { nodeCertificates } from '../../src/nodes/node-pki.ts';
import { renderLeafExtensions, subjectOf } from '../../src/pki/certificate-specs.ts';

describe("a node's identity", () => {
  const [client, serving] = nodeCertificates({ name: 'node2', ip: '192.168.1.12' });

  // The Node authorizer and NodeRestriction recognise a kubelet by exactly this subject.
  it('is system:node:<name> in group system:nodes', () => {
    expect(subjectOf(client!)).toBe('/CN=system:node:node2/O=system:nodes');
    expect(renderLeafExtensions(client!)).toContain('extendedKeyUsage = clientAuth');
  });

  it('serves with a certificate naming the address the API server dials', () => {
    expect(renderLeafExtensions(serving!)).toContain('extendedKeyUsage = serverAuth');
    expect(renderLeafExtensions(serving!)).toContain('subjectAltName = DNS:node2, IP:192.168.1.12');
  });

  it('is registered with its classic podCIDR before the kubelet starts', () => {
    expect(nodeObject({ name: 'node2', podCidr: '10.244.2.0/24' })).toEqual({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: 'node2',
        labels: { 'kubernetes.io/hostname': 'node2', 'kubernetes.io/os': 'linux' },
      },
      spec: { podCIDR: '10.244.2.0/24', podCIDRs: ['10.244.2.0/24'] },
    });
  });
});

import { describe, expect, it } from 'vitest';
import {
  labCertificates,
  renderCaConfig,
  renderLeafExtensions,
  subjectOf,
} from '../../src/pki/certificate-specs.ts';

const byName = (name: string) => labCertificates().find((spec) => spec.name === name)!;

describe('the lab certificates', () => {
  it('lets clients reach the API server by every name a pod or the bridge uses', () => {
    const ext = renderLeafExtensions(byName('apiserver'));
    const san = /^subjectAltName = (.*)$/m.exec(ext)![1]!.split(', ');
    expect(san).toEqual(
      expect.arrayContaining([
        'DNS:kubernetes',
        'DNS:kubernetes.default',
        'DNS:kubernetes.default.svc',
        'DNS:kubernetes.default.svc.cluster.local',
        'IP:10.96.0.1',
        'IP:192.168.1.10',
        'IP:127.0.0.1',
      ]),
    );
    expect(ext).toContain('extendedKeyUsage = serverAuth');
    expect(ext).toContain('basicConstraints = critical, CA:FALSE');
  });

  it.each([
    { name: 'admin', subject: '/CN=kubernetes-admin/O=system:masters' },
    { name: 'controller-manager', subject: '/CN=system:kube-controller-manager' },
    { name: 'scheduler', subject: '/CN=system:kube-scheduler' },
    {
      name: 'apiserver-kubelet-client',
      subject: '/CN=kube-apiserver-kubelet-client/O=system:masters',
    },
  ])('issues $name as a client certificate for $subject', ({ name, subject }) => {
    expect(subjectOf(byName(name))).toBe(subject);
    const ext = renderLeafExtensions(byName(name));
    expect(ext).toContain('extendedKeyUsage = clientAuth');
    expect(ext).not.toContain('subjectAltName');
  });

  it('signs the aggregation proxy client with the front-proxy CA only', () => {
    expect(byName('front-proxy-client')).toMatchObject({
      commonName: 'front-proxy-client',
      usage: 'client',
      signer: 'front-proxy-ca',
    });
    expect(labCertificates().filter((spec) => spec.signer !== undefined)).toHaveLength(1);
  });

  it('escapes a slash in a subject value', () => {
    expect(subjectOf({ commonName: 'a/b' })).toBe('/CN=a\\/b');
  });

  it('makes the CA a CA without openssl.cnf defaults', () => {
    const config = renderCaConfig('test-ca');
    expect(config).toContain('CN = test-ca');
    expect(config).toContain('basicConstraints = critical, CA:TRUE');
    expect(config).toContain('prompt = no');
  });
});

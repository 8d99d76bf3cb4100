import { KubeConfig } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { renderKubeconfig } from '../../src/cluster/kubeconfig.ts';

describe('renderKubeconfig', () => {
  it('renders a kubeconfig that client-node reads back', () => {
    const text = renderKubeconfig({
      clusterName: 'loom-lab',
      server: 'https://127.0.0.1:36443',
      userName: 'admin',
      caPem: 'CA PEM\n',
      certPem: 'CERT PEM\n',
      keyPem: 'KEY PEM\n',
    });
    const config = new KubeConfig();
    config.loadFromString(text);
    expect(config.getCurrentContext()).toBe('admin@loom-lab');
    expect(config.getCurrentCluster()?.server).toBe('https://127.0.0.1:36443');
    const decode = (b64?: string) => Buffer.from(b64 ?? '', 'base64').toString();
    expect(decode(config.getCurrentCluster()?.caData)).toBe('CA PEM\n');
    expect(decode(config.getCurrentUser()?.certData)).toBe('CERT PEM\n');
    expect(decode(config.getCurrentUser()?.keyData)).toBe('KEY PEM\n');
  });
});

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KubeConfigNotFoundError, loadKubeConfig } from '../../src/kube/index.ts';

function kubeconfig(server: string, context = 'main'): string {
  return `apiVersion: v1
kind: Config
clusters:
- name: ${context}
  cluster: { server: "${server}" }
users:
- name: ${context}
  user: { token: "t-${context}" }
contexts:
- name: ${context}
  context: { cluster: ${context}, user: ${context} }
current-context: ${context}
`;
}

describe('loadKubeConfig', () => {
  let dir: string;
  let home: string;
  let serviceAccountDir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'loom-kubeconfig-'));
    home = join(dir, 'home');
    serviceAccountDir = join(dir, 'sa');
    mkdirSync(join(home, '.kube'), { recursive: true });
    mkdirSync(serviceAccountDir);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const file = (name: string, server: string, context?: string) => {
    const path = join(dir, name);
    writeFileSync(path, kubeconfig(server, context));
    return path;
  };
  const inCluster = () => {
    writeFileSync(join(serviceAccountDir, 'token'), 'sa-token');
    writeFileSync(join(serviceAccountDir, 'namespace'), 'loom-system\n');
    return { KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' };
  };

  it('uses an explicit path before anything else', () => {
    const path = file('explicit', 'https://explicit.example.org');
    const kc = loadKubeConfig({
      path,
      env: { ...inCluster(), KUBECONFIG: file('env', 'https://env') },
      homeDir: home,
      serviceAccountDir,
    });
    expect(kc.getCurrentCluster()?.server).toBe('https://explicit.example.org');
  });

  it('fails on a missing explicit path without falling back', () => {
    expect(() =>
      loadKubeConfig({
        path: join(dir, 'nope'),
        homeDir: home,
        env: inCluster(),
        serviceAccountDir,
      }),
    ).toThrow(
      /cannot find a Kubernetes client configuration: tried kubeconfig .*nope \(no such file\)/,
    );
  });

  it('merges the files of KUBECONFIG, the first current-context winning', () => {
    const first = file('first', 'https://first.example.org', 'first');
    const second = file('second', 'https://second.example.org', 'second');
    const kc = loadKubeConfig({
      env: { KUBECONFIG: `${first}:${join(dir, 'missing')}:${second}` },
      homeDir: home,
      serviceAccountDir,
    });
    expect(kc.getCurrentContext()).toBe('first');
    expect(kc.getContexts().map((c) => c.name)).toEqual(['first', 'second']);
  });

  it('selects another context on request', () => {
    const first = file('first', 'https://first.example.org', 'first');
    const second = file('second', 'https://second.example.org', 'second');
    const kc = loadKubeConfig({
      env: { KUBECONFIG: `${first}:${second}` },
      context: 'second',
      homeDir: home,
    });
    expect(kc.getCurrentCluster()?.server).toBe('https://second.example.org');
  });

  it('builds the in-cluster config from the service account and service env', () => {
    const kc = loadKubeConfig({ env: inCluster(), homeDir: home, serviceAccountDir });
    expect(kc.getCurrentCluster()?.server).toBe('https://[fd00::1]:443');
    expect(kc.getCurrentCluster()?.caFile).toBe(join(serviceAccountDir, 'ca.crt'));
    expect(kc.getContextObject(kc.getCurrentContext())?.namespace).toBe('loom-system');
  });

  it('prefers in-cluster over ~/.kube/config, and uses the home file outside a cluster', () => {
    writeFileSync(join(home, '.kube', 'config'), kubeconfig('https://home.example.org'));
    expect(
      loadKubeConfig({ env: inCluster(), homeDir: home, serviceAccountDir }).getCurrentCluster()
        ?.server,
    ).toBe('https://[fd00::1]:443');
    expect(
      loadKubeConfig({ env: {}, homeDir: home, serviceAccountDir }).getCurrentCluster()?.server,
    ).toBe('https://home.example.org');
  });

  it('names everything it tried when nothing is found', () => {
    const env = { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' };
    let error: unknown;
    try {
      loadKubeConfig({ env, homeDir: home, serviceAccountDir });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(KubeConfigNotFoundError);
    expect((error as KubeConfigNotFoundError).tried).toEqual([
      'KUBECONFIG (unset)',
      `in-cluster (${join(serviceAccountDir, 'token')}: no such file)`,
      `${join(home, '.kube', 'config')} (no such file)`,
    ]);
  });

  it('names the file that does not parse', () => {
    const path = join(dir, 'broken');
    writeFileSync(path, 'clusters: [ {');
    expect(() => loadKubeConfig({ path })).toThrow(/cannot load kubeconfig .*broken/);
  });
});

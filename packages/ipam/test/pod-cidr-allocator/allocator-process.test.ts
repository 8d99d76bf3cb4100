import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createFakeApiServer } from '@loom-net/core/testing';
import { expect, it } from 'vitest';

const MAIN = fileURLToPath(new URL('../../src/pod-cidr-allocator/main.ts', import.meta.url));

it('runs as a daemon: takes the lease, assigns a pod CIDR, exits 0 on SIGTERM and releases the lease', async () => {
  const api = await createFakeApiServer();
  const dir = await mkdtemp(join(tmpdir(), 'loom-pod-cidr-allocator-'));
  try {
    api.create('/api/v1/nodes', {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'node1' },
      spec: {},
    });
    await writeFile(join(dir, 'kubeconfig'), api.kubeConfig().exportConfig());
    const args = ['--conditions=loom-source', MAIN, '--kubeconfig', join(dir, 'kubeconfig')];
    args.push(
      '--identity',
      'test-allocator',
      '--health-port',
      '0',
      '--health-address',
      '127.0.0.1',
    );
    const child = spawn(process.execPath, args, {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, LOOM_LOG_LEVEL: 'warn' },
    });
    const exited = once(child, 'exit');
    const deadline = performance.now() + 10_000;
    let podCidr: unknown;
    while (podCidr === undefined && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      podCidr = (api.get('/api/v1/nodes', 'node1').spec as { podCIDR?: string }).podCIDR;
    }
    expect(podCidr).toBe('10.244.0.0/24');
    child.kill('SIGTERM');
    const [code] = await exited;
    expect(code).toBe(0);
    const lease = api.get(
      '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases',
      'loom-pod-cidr-allocator',
    );
    expect((lease.spec as { holderIdentity?: string }).holderIdentity).toBe('');
  } finally {
    await api.close();
    await rm(dir, { recursive: true, force: true });
  }
}, 20_000);

import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ipBatch, ipRoutes } from '@loom-net/core';
import {
  canUseNetns,
  createFakeApiServer,
  createTestNetns,
  type FakeApiServer,
  kernelSuiteTitle,
  type TestNetns,
} from '@loom-net/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from './fixtures/agents.ts';
import { nodeObject } from './fixtures/nodes.ts';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

/** The real `loom-route-agent` process, as the lab starts it: one per node, `--netns` naming the node. */
describe.skipIf(!canUseNetns())(kernelSuiteTitle('loom-route-agent process'), () => {
  let api: FakeApiServer;
  let ns: TestNetns;
  let dir: string;
  let agent: ChildProcess;
  const logs: Array<Record<string, unknown>> = [];

  beforeAll(async () => {
    api = await createFakeApiServer();
    api.create('/api/v1/nodes', nodeObject('node1', ['192.168.1.11'], ['10.244.1.0/24']));
    api.create('/api/v1/nodes', nodeObject('node2', ['192.168.1.12'], ['10.244.2.0/24']));
    ns = await createTestNetns('loom-t-node1');
    await ipBatch(ns.runner, [
      'link add eth0 type veth peer name eth0-peer',
      'link set eth0 up',
      'link set eth0-peer up',
      'addr add 192.168.1.11/24 dev eth0',
    ]);
    dir = await mkdtemp(join(tmpdir(), 'loom-route-agent-main-'));
    await writeFile(join(dir, 'kubeconfig'), api.kubeConfig().exportConfig());
    const args = [
      '--conditions=loom-source',
      MAIN,
      '--kubeconfig',
      join(dir, 'kubeconfig'),
      '--netns',
      ns.name,
    ];
    args.push(
      '--cni-conf-dir',
      join(dir, 'net.d'),
      '--no-install-cni-plugins',
      '--health-port',
      '0',
      '--health-address',
      '127.0.0.1',
    );
    agent = spawn(process.execPath, args, {
      env: { ...process.env, NODE_NAME: 'node1' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    createInterface({ input: agent.stdout as NodeJS.ReadableStream }).on('line', (line) =>
      logs.push(JSON.parse(line)),
    );
  });
  afterAll(async () => {
    if (agent && agent.exitCode === null) agent.kill('SIGKILL');
    await api?.close();
    await ns?.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  const healthUrl = () => logs.find((l) => l.msg === 'health server listening')?.url as string;

  it('programs the route and becomes ready', async () => {
    await eventually(async () => {
      const routes = await ipRoutes(ns.runner, ['route', 'show', 'proto', '76']);
      expect(routes.map((r) => `${r.dst} via ${r.gateway}`)).toEqual([
        '10.244.2.0/24 via 192.168.1.12',
      ]);
      const ready = await fetch(`${healthUrl()}/readyz`);
      expect(ready.status).toBe(200);
    }, 10_000);
    expect(logs.every((l) => l.component === 'route-agent')).toBe(true);
  });

  it('exits 0 on SIGTERM and leaves its routes in place', async () => {
    agent.kill('SIGTERM');
    const [code] = await once(agent, 'exit');
    expect(code).toBe(0);
    expect(logs.map((l) => l.msg)).toContain('shutdown complete');
    const routes = await ipRoutes(ns.runner, ['route', 'show', 'proto', '76']);
    expect(routes).toHaveLength(1);
  });
});

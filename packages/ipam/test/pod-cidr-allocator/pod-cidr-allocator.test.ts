import {
  createKubeClient,
  type KubeClient,
  type KubeLogger,
  parseCidr,
  silentKubeLogger,
} from '@loom-net/core';
import { createFakeApiServer, type FakeApiServer, type StoredObject } from '@loom-net/core/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createPodCidrAllocator,
  type PodCidrAllocator,
  type PoolSpec,
} from '../../src/pod-cidr-allocator/index.ts';

const NODES = '/api/v1/nodes';
const fast = {
  leaderElection: { leaseDurationSeconds: 2, renewDeadlineMs: 1000, retryPeriodMs: 200 },
  informer: { backoff: { initialMs: 50, maxMs: 500 } },
};

let api: FakeApiServer;
const clients: KubeClient[] = [];
const allocators: PodCidrAllocator[] = [];

beforeEach(async () => {
  api = await createFakeApiServer();
});
afterEach(async () => {
  await Promise.allSettled(allocators.splice(0).map((a) => a.stop()));
  for (const client of clients.splice(0)) client.close();
  await api.close();
});

function node(name: string, podCidrs: string[] = []): StoredObject {
  const spec = podCidrs.length > 0 ? { podCIDR: podCidrs[0], podCIDRs: podCidrs } : {};
  return { apiVersion: 'v1', kind: 'Node', metadata: { name }, spec, status: { addresses: [] } };
}

function start(
  pools: PoolSpec[],
  identity = 'allocator-a',
  retryFullMs = 30_000,
  logger: KubeLogger = silentKubeLogger,
): PodCidrAllocator {
  const client = createKubeClient(api.kubeConfig());
  clients.push(client);
  const allocator = createPodCidrAllocator({
    ...fast,
    client,
    pools,
    identity,
    logger,
    retryFullMs,
  });
  allocators.push(allocator);
  allocator.start();
  return allocator;
}

const v4 = [{ cidr: parseCidr('10.244.0.0/16'), nodeMask: 24 }];
const podCidrsOf = (name: string) =>
  (api.get(NODES, name).spec as { podCIDRs?: string[] } | undefined)?.podCIDRs;

async function eventually(check: () => void, timeoutMs = 5000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    try {
      return check();
    } catch (error) {
      if (performance.now() > deadline) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('pod CIDR allocator', () => {
  it('assigns blocks to Nodes lacking one, never a block another Node holds', async () => {
    api.create(NODES, node('node-a', ['10.244.0.0/24']));
    api.create(NODES, node('node-b', ['10.244.2.0/24']));
    api.create(NODES, node('node-c'));
    api.create(NODES, node('node-d'));
    start(v4);
    await eventually(() => {
      expect(podCidrsOf('node-c')).toEqual(['10.244.1.0/24']);
      expect(podCidrsOf('node-d')).toEqual(['10.244.3.0/24']);
    });
    expect((api.get(NODES, 'node-d').spec as { podCIDR?: string }).podCIDR).toBe('10.244.3.0/24');
    expect(podCidrsOf('node-a')).toEqual(['10.244.0.0/24']);
    api.create(NODES, node('node-e'));
    await eventually(() => expect(podCidrsOf('node-e')).toEqual(['10.244.4.0/24']));
  });

  it('gives a dual-stack node one block per family', async () => {
    api.create(NODES, node('node1'));
    start([...v4, { cidr: parseCidr('fd00:10:244::/56'), nodeMask: 64 }]);
    await eventually(() =>
      expect(podCidrsOf('node1')).toEqual(['10.244.0.0/24', 'fd00:10:244::/64']),
    );
  });

  it('says so with a CIDRNotAvailable event when the range is full, and uses a block freed by a deletion', async () => {
    api.create(NODES, node('node1', ['10.244.0.0/25']));
    api.create(NODES, node('node2', ['10.244.0.128/25']));
    api.create(NODES, node('node3'));
    start([{ cidr: parseCidr('10.244.0.0/24'), nodeMask: 25 }]);
    await eventually(() => {
      const events = api.store.list(
        { group: '', version: 'v1', plural: 'events', namespace: 'default' },
        {},
      ).items;
      expect(
        events.map((e) => [e.reason, (e.involvedObject as { name: string }).name, e.type]),
      ).toEqual([['CIDRNotAvailable', 'node3', 'Warning']]);
      expect(events[0]?.message).toBe(
        'cannot assign a pod CIDR to node node3: no free /25 block left in 10.244.0.0/24 (2 of 2 in use); delete unused Nodes or add a larger cluster CIDR',
      );
    });
    expect(podCidrsOf('node3')).toBeUndefined();
    api.remove(NODES, 'node1');
    await eventually(() => expect(podCidrsOf('node3')).toEqual(['10.244.0.0/25']));
  });

  it('allocates only while leading; a standby takes over when the leader stops', async () => {
    const a = start(v4, 'allocator-a');
    const b = start(v4, 'allocator-b');
    await eventually(() => expect([a.isLeader(), b.isLeader()].filter(Boolean)).toHaveLength(1));
    const [leader, standby] = a.isLeader() ? [a, b] : [b, a];
    api.create(NODES, node('node1'));
    await eventually(() => expect(podCidrsOf('node1')).toEqual(['10.244.0.0/24']));
    await leader.stop();
    await eventually(() => expect(standby.isLeader()).toBe(true));
    api.create(NODES, node('node2'));
    await eventually(() => expect(podCidrsOf('node2')).toEqual(['10.244.1.0/24']));
    const puts = api.requests.filter((r) => r.method === 'PUT' && r.path.startsWith(NODES));
    expect(puts).toHaveLength(2);
  });

  it('counts a block written with host bits as taken', async () => {
    api.create(NODES, node('sloppy', ['10.244.0.5/24']));
    api.create(NODES, node('fresh'));
    start(v4);
    await eventually(() => expect(podCidrsOf('fresh')).toEqual(['10.244.1.0/24']));
  });

  it('warns once about a block two Nodes hold, not again on every event', async () => {
    api.create(NODES, node('twin-a', ['10.244.0.0/24']));
    api.create(NODES, node('twin-b', ['10.244.0.0/24']));
    api.create(NODES, node('single'));
    const warnings: string[] = [];
    const logger = {
      ...silentKubeLogger,
      warn: (_f: object, msg?: string) => void warnings.push(msg ?? ''),
    };
    const allocator = start(v4, 'allocator-a', 30_000, logger);
    await eventually(() => expect(podCidrsOf('single')).toEqual(['10.244.1.0/24']));
    await allocator.idle();
    expect(warnings.filter((w) => w === 'pod CIDR assigned twice')).toHaveLength(1);
  });
});

import { afterAll, describe, expect, it } from 'vitest';
import { createInformer, createKubeClient, type KubeObject } from '../../src/kube/index.ts';
import { createFakeApiServer, type StoredObject } from '../../src/testing/index.ts';

const fake = await createFakeApiServer();
afterAll(() => fake.close());

interface Node extends KubeObject {
  metadata: KubeObject['metadata'] & { managedFields?: unknown[] };
  spec?: { podCIDR?: string };
  status?: { images?: unknown[]; addresses?: unknown[] };
}

const NODES = '/api/v1/nodes';
const managedFields = [{ manager: 'kubelet', operation: 'Update', fieldsV1: { 'f:status': {} } }];
const node = (name: string, cidr: string): StoredObject => ({
  metadata: { name, managedFields } as StoredObject['metadata'],
  spec: { podCIDR: cidr },
  status: { images: [{ names: ['registry.example.org/big:1'], sizeBytes: 1 }], addresses: [] },
});

describe('informer object shaping', () => {
  it('caches listed and watched objects without managedFields, then as transform shapes them', async () => {
    fake.create(NODES, node('listed', '10.244.1.0/24'));
    const client = createKubeClient(fake.kubeConfig());
    const added: Node[] = [];
    const informer = createInformer<Node>({
      client,
      path: NODES,
      transform: ({ status, ...rest }) => ({ ...rest, status: { addresses: status?.addresses } }),
    });
    informer.on('add', (obj) => added.push(obj));
    informer.start();
    try {
      await informer.synced;
      fake.create(NODES, node('watched', '10.244.2.0/24'));
      await expect.poll(() => informer.get('watched')).toBeDefined();
      for (const name of ['listed', 'watched']) {
        const cached = informer.get(name);
        expect(cached?.metadata.managedFields).toBeUndefined();
        expect(cached?.status).toEqual({ addresses: [] });
        expect(cached?.spec?.podCIDR).toMatch(/^10\.244\./);
      }
      expect(added.map((obj) => obj.status?.images)).toEqual([undefined, undefined]);
    } finally {
      await informer.stop();
      client.close();
    }
  });

  it('drops managedFields even without a transform, and stops at once right after its list', async () => {
    fake.create(NODES, node('plain', '10.244.3.0/24'));
    const client = createKubeClient(fake.kubeConfig());
    const informer = createInformer<Node>({ client, path: NODES });
    informer.start();
    try {
      await informer.synced;
      expect(informer.get('plain')?.metadata.managedFields).toBeUndefined();
      expect(informer.get('plain')?.status?.images).toHaveLength(1);
    } finally {
      await informer.stop();
      client.close();
    }
  });
});

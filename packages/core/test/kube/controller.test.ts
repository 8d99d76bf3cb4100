import { afterAll, describe, expect, it } from 'vitest';
import {
  createController,
  createInformer,
  createKubeClient,
  type KubeObject,
  objectKey,
} from '../../src/kube/index.ts';
import { createFakeApiServer } from '../../src/testing/index.ts';

const fake = await createFakeApiServer();
afterAll(() => fake.close());

interface Slice extends KubeObject {
  metadata: { name: string; namespace: string; labels: Record<string, string> };
}

/** The Service an EndpointSlice belongs to, as a work-queue key. */
const sliceKey = (slice: Slice): string =>
  objectKey({
    metadata: {
      namespace: slice.metadata.namespace,
      name: slice.metadata.labels['kubernetes.io/service-name'],
    },
  });

describe('controller', () => {
  it('reconciles each key once the caches are full, and again when a source changes', async () => {
    const services = '/api/v1/namespaces/web/services';
    const slices = '/apis/discovery.k8s.io/v1/namespaces/web/endpointslices';
    fake.create(services, { metadata: { name: 'frontend' } });
    fake.create(slices, {
      metadata: { name: 'frontend-x1', labels: { 'kubernetes.io/service-name': 'frontend' } },
    });
    const client = createKubeClient(fake.kubeConfig());
    const serviceInformer = createInformer<KubeObject>({ client, path: services });
    const sliceInformer = createInformer<Slice>({ client, path: slices });
    const seen: string[] = [];
    const controller = createController({
      informers: [
        serviceInformer,
        {
          informer: sliceInformer,
          keys: sliceKey,
        },
      ],
      reconcile: (key) => {
        const slicesOfService = sliceInformer.list().filter((slice) => sliceKey(slice) === key);
        seen.push(
          `${key} service=${serviceInformer.get(key) ? 'yes' : 'no'} slices=${slicesOfService.length}`,
        );
      },
    });
    await controller.start();
    // Both informers listed before the first reconcile: it saw the service and its slice.
    await expect.poll(() => seen).toEqual(['web/frontend service=yes slices=1']);
    fake.create(slices, {
      metadata: { name: 'frontend-x2', labels: { 'kubernetes.io/service-name': 'frontend' } },
    });
    await expect.poll(() => seen.at(-1)).toBe('web/frontend service=yes slices=2');
    fake.remove(services, 'frontend');
    await expect.poll(() => seen.at(-1)).toBe('web/frontend service=no slices=2');
    await controller.stop();
    client.close();
  });
});

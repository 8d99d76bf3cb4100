import type { FakeApiServer } from './fake-apiserver.ts';
import type { ConfigMap, ConfigMapWriter, InformerHarness } from './informer-harness.ts';

/** The informer scenarios' harness on a {@link FakeApiServer}: every fault is available and
 * writes go straight to its store, so they also work while it is stopped. */
export function fakeInformerHarness(fake: FakeApiServer, namespace = 'default'): InformerHarness {
  const path = `/api/v1/namespaces/${namespace}/configmaps`;
  const writer: ConfigMapWriter = {
    create: async (name, data, labels) => fake.create(path, { metadata: { name, labels }, data }),
    update: async (name, data) => fake.update(path, { ...fake.get(path, name), data }) as ConfigMap,
    remove: async (name) => void fake.remove(path, name),
  };
  return {
    kubeConfig: () => fake.kubeConfig(),
    namespace,
    writer,
    writerWhileDown: writer,
    async dropWatches() {
      await fake.waitForWatch();
      fake.dropWatches();
    },
    async expireDuring(changes, style) {
      fake.goneStyle = style;
      fake.store.hold();
      try {
        await changes();
        fake.store.compact();
        fake.dropWatches();
      } finally {
        fake.store.release();
      }
    },
    serverDown: () => fake.stop(),
    serverUp: () => fake.start(),
    async sendBookmarks() {
      await fake.waitForWatch();
      fake.store.bookmark();
    },
    stallWatches: (stalled) => fake.stallWatches(stalled),
    async writeToWatches(text) {
      await fake.waitForWatch();
      fake.writeToWatches(text);
    },
    failWatches(count) {
      let remaining = count;
      const remove = fake.intercept((req) => {
        if (!req.watch || remaining <= 0) return undefined;
        remaining -= 1;
        if (remaining === 0) remove();
        return { status: 500, reason: 'InternalError', message: 'injected watch failure' };
      });
    },
  };
}

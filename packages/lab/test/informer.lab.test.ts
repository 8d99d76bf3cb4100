import { connect, createServer, type Server, type Socket } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { createInformer, createKubeClient, type KubeObject, resourcePath } from '@loom-net/core';
import {
  apiConfigMapWriter,
  eventually,
  type InformerHarness,
  informerScenarios,
  scenarioSupported,
} from '@loom-net/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  labSkipReason,
  startTestControlPlane,
  type TestControlPlane,
} from '../src/test-control-plane.ts';

const skip = labSkipReason();

/**
 * A TCP link between the informer and the lab's API server that the test can cut. Cutting
 * it is what a network partition or a dead API server looks like to a client, while the
 * test keeps writing to the real API server over its own, uncut connection.
 */
interface CuttableLink {
  port: number;
  cut(): void;
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

async function cuttableLink(target: { host: string; port: number }): Promise<CuttableLink> {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const listener = createServer((client) => {
        const upstream = connect(target.port, target.host);
        for (const socket of [client, upstream]) {
          sockets.add(socket);
          socket.on('close', () => sockets.delete(socket));
          socket.on('error', () => {});
        }
        client.pipe(upstream).pipe(client);
        client.on('close', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
      });
      listener.once('error', reject);
      listener.listen(port, '127.0.0.1', () => {
        port = (listener.address() as { port: number }).port;
        server = listener;
        resolve();
      });
    });
  const cut = () => {
    for (const socket of sockets) socket.destroy();
  };
  const down = () =>
    new Promise<void>((resolve) => {
      cut();
      if (!server) return resolve();
      server.close(() => resolve());
      server = undefined;
    });
  await listen();
  return { port, cut, down, up: listen, close: down };
}

function throughLink(kubeConfig: KubeConfig, port: number): KubeConfig {
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new Error('the lab kubeconfig has no current cluster');
  const server = new URL(cluster.server);
  server.port = String(port);
  const copy = kubeConfig.clusters.map((entry) =>
    entry.name === cluster.name ? { ...entry, server: server.origin } : entry,
  );
  const linked = new KubeConfig();
  linked.loadFromOptions({
    clusters: copy,
    users: kubeConfig.users,
    contexts: kubeConfig.contexts,
    currentContext: kubeConfig.currentContext,
  });
  return linked;
}

describe.skipIf(skip !== undefined)(
  `core's informer against the real kube-apiserver${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    const namespace = 'informer-scenarios';
    let lab: TestControlPlane;
    let link: CuttableLink;
    let harness: InformerHarness;

    beforeAll(async () => {
      // Without the watch cache, a watch from a compacted resourceVersion reaches etcd and
      // is answered with an in-stream 410, which is what the relist scenario needs.
      lab = await startTestControlPlane({ apiServerArgs: ['--watch-cache=false'] });
      const direct = lab.kubeConfig();
      const apiServer = new URL(direct.getCurrentCluster()!.server);
      link = await cuttableLink({ host: apiServer.hostname, port: Number(apiServer.port) });
      await createKubeClient(direct).request({
        method: 'POST',
        path: '/api/v1/namespaces',
        body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } },
      });
      const writer = apiConfigMapWriter(direct, namespace);
      harness = {
        kubeConfig: () => throughLink(lab.kubeConfig(), link.port),
        namespace,
        writer,
        writerWhileDown: writer,
        timeoutMs: 20_000,
        dropWatches: () => link.cut(),
        serverDown: () => link.down(),
        serverUp: () => link.up(),
        // The informer is cut off while the changes happen, then etcd is compacted past
        // its resourceVersion: the re-watch is answered with an in-stream ERROR 410.
        async expireDuring(changes) {
          await link.down();
          await changes();
          await lab.compactEtcd();
          await link.up();
        },
      };
    });

    afterAll(async () => {
      await link?.close();
      await lab?.stop();
    });

    // A real API server answers a watch from an expired resourceVersion with a 200 and an
    // in-stream ERROR; an HTTP 410 status on a watch is the fake server's variant only.
    const realScenarios = informerScenarios.filter(({ name }) => !name.includes('HTTP 410'));
    for (const scenario of realScenarios) {
      it(scenario.name, async (context) => {
        if (!scenarioSupported(scenario, harness)) context.skip();
        await scenario.run(harness);
      });
    }

    it('survives a restart of kube-apiserver and sees what changed meanwhile', async () => {
      const client = createKubeClient(lab.kubeConfig());
      const path = resourcePath({ version: 'v1', plural: 'configmaps', namespace });
      const informer = createInformer<KubeObject>({
        client,
        path,
        labelSelector: 'loom.dev/restart=yes',
        backoff: { initialMs: 100, maxMs: 2000 },
      });
      const writer = apiConfigMapWriter(lab.kubeConfig(), namespace);
      try {
        await writer.create('before-restart', {}, { 'loom.dev/restart': 'yes' });
        informer.start();
        await informer.synced;
        await lab.restart('kube-apiserver');
        await writer.create('after-restart', {}, { 'loom.dev/restart': 'yes' });
        await eventually(() => {
          expect(
            informer
              .list()
              .map((cm) => cm.metadata?.name)
              .sort(),
          ).toEqual(['after-restart', 'before-restart']);
        }, 30_000);
      } finally {
        await informer.stop();
        client.close();
      }
    });
  },
);

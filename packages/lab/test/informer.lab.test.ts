import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';
import {
  applyNftTransaction,
  createCommandRunner,
  createInformer,
  createKubeClient,
  createNftTransaction,
  type Informer,
  type KubeObject,
  nftJson,
  resourcePath,
} from '@loom-net/core';
import {
  apiConfigMapWriter,
  type ConfigMap,
  type ConfigMapWriter,
  eventually,
  type InformerHarness,
  informerScenarios,
  scenarioSupported,
  trackingWriter,
} from '@loom-net/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAB_NETWORK } from '../src/config/network-plan.ts';
import {
  labSkipReason,
  startTestControlPlane,
  type TestControlPlane,
} from '../src/testing/test-control-plane.ts';

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

async function cuttableLink(
  target: { host: string; port: number } | { path: string },
): Promise<CuttableLink> {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const listener = createServer((client) => {
        const upstream = connect(target);
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

const FORWARDER = fileURLToPath(new URL('./fixtures/netns-forwarder.ts', import.meta.url));
/**
 * The source address of the partitionable link's connections to the API server, inside the
 * control-plane namespace. Any 127/8 address is the namespace's own (on `lo`), so none has to
 * be added; nothing else there uses 127.0.0.2 (the lab's bridge dials from 192.168.1.10).
 */
const PARTITION_SOURCE = '127.0.0.2';
const PARTITION_TABLE = 'loom_test_partition';

/**
 * A path from the informer to the real API server that a real network partition can cut:
 * packets dropped by the kernel, not connections refused or reset.
 *
 * The informer runs in the test process, in the root namespace, where this test must not add
 * a firewall rule. So its path runs through the lab's own control-plane namespace: a root-side
 * TCP listener on 127.0.0.1 (like the lab's host bridge) pipes each connection into a unix
 * socket served by a forwarder running in that namespace, which dials 192.168.1.10:6443 from
 * {@link PARTITION_SOURCE}. `partition()` adds an nft table there that drops those packets
 * both ways; `heal()` deletes it. The test's own writes reach the same API server through the
 * lab's bridge, from 192.168.1.10, and are not affected.
 *
 * The drop is in the input hook, not output: a packet dropped on output makes the sender's
 * own send fail (connect() gets EPERM at once), which is a refusal by another name; dropped on
 * input, it was sent and never arrives, so both ends see only silence, as on a cut cable.
 */
interface PartitionableLink {
  port: number;
  partition(): Promise<void>;
  /** Packets the partition has dropped so far. */
  dropped(): Promise<number>;
  heal(): Promise<void>;
  close(): Promise<void>;
}

async function partitionableLink(lab: TestControlPlane): Promise<PartitionableLink> {
  const netns = lab.config.netns.controlPlane;
  const dir = mkdtempSync(join(tmpdir(), 'loom-partition-'));
  const socket = join(dir, 'api.sock');
  const runner = createCommandRunner();
  const table = { family: 'inet', name: PARTITION_TABLE } as const;
  const port = LAB_NETWORK.apiServerPort;
  const partitionRules = createNftTransaction(table)
    .add({ kind: 'table' })
    .add({
      kind: 'chain',
      name: 'input',
      base: { type: 'filter', hook: 'input', priority: 0, policy: 'accept' },
    })
    .add({
      kind: 'rule',
      chain: 'input',
      rule: `ip saddr ${PARTITION_SOURCE} tcp dport ${port} counter drop`,
    })
    .add({
      kind: 'rule',
      chain: 'input',
      rule: `ip daddr ${PARTITION_SOURCE} tcp sport ${port} counter drop`,
    });
  const removeTable = () =>
    applyNftTransaction(runner, createNftTransaction(table).delete({ kind: 'table' }), netns);
  // `ip netns exec` execs the command: the child's PID is the forwarder's own.
  const forwarder: ChildProcess = spawn(
    'ip',
    [
      'netns',
      'exec',
      netns,
      process.execPath,
      FORWARDER,
      socket,
      LAB_NETWORK.controlPlaneIp,
      String(LAB_NETWORK.apiServerPort),
      PARTITION_SOURCE,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const exited = once(forwarder, 'exit');
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: forwarder.stdout! }).on('line', (line) => {
      if (line === 'listening') resolve();
    });
    exited.then(([code]) => reject(new Error(`the forwarder in ${netns} exited (${code})`)));
  });
  const root = await cuttableLink({ path: socket });
  let partitioned = false;
  return {
    port: root.port,
    async partition() {
      await applyNftTransaction(runner, partitionRules, netns);
      partitioned = true;
    },
    async dropped() {
      const listed = await nftJson(runner, ['list', 'table', 'inet', PARTITION_TABLE], netns);
      const counts = [...JSON.stringify(listed).matchAll(/"packets":(\d+)/g)];
      return counts.reduce((n, m) => n + Number(m[1]), 0);
    },
    async heal() {
      if (partitioned) await removeTable();
      partitioned = false;
    },
    async close() {
      await root.close();
      if (forwarder.exitCode === null && forwarder.signalCode === null) {
        forwarder.kill('SIGTERM');
        await exited;
      }
      // The lab's namespace goes with the lab; the table is removed anyway if still there.
      if (partitioned) await removeTable().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** What an informer emitted, by object name, and the errors it recovered from. */
function recordInformer(informer: Informer<ConfigMap>) {
  const events: string[] = [];
  const errors: Error[] = [];
  informer.on('add', (obj) => events.push(`add ${obj.metadata?.name}`));
  informer.on('update', (obj, _old, { resync }) => {
    if (!resync) events.push(`update ${obj.metadata?.name}`);
  });
  informer.on('delete', (obj) => events.push(`delete ${obj.metadata?.name}`));
  informer.on('error', (err) => errors.push(err));
  const cached = () =>
    informer
      .list()
      .map((cm) => `${cm.metadata?.name}=${cm.data?.v ?? ''}`)
      .sort();
  return { events, errors, cached };
}

/** A writer that remembers what it created, so a test can remove it afterwards. */
function trackedWriter(writer: ConfigMapWriter): ConfigMapWriter & { cleanup(): Promise<void> } {
  const created = new Set<string>();
  return {
    ...trackingWriter(writer, created),
    cleanup: async () => {
      await Promise.allSettled([...created].map((name) => writer.remove(name)));
    },
  };
}

const isStall = (err: Error) => /stalled past its/.test(err.message);
const isGone = (err: Error) => (err as { status?: number }).status === 410;

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
    let partition: PartitionableLink;
    let harness: InformerHarness;

    beforeAll(async () => {
      // Without the watch cache, a watch from a compacted resourceVersion reaches etcd and
      // is answered with an in-stream 410, which is what the relist scenario needs.
      lab = await startTestControlPlane({ apiServerArgs: ['--watch-cache=false'] });
      const direct = lab.kubeConfig();
      const apiServer = new URL(direct.getCurrentCluster()!.server);
      link = await cuttableLink({ host: apiServer.hostname, port: Number(apiServer.port) });
      partition = await partitionableLink(lab);
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
      await partition?.close();
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

    it('sees writes made while its link was down and kube-apiserver restarted', async () => {
      // The informer goes through the cuttable link; the test writes over its own connection.
      const client = createKubeClient(throughLink(lab.kubeConfig(), link.port));
      const path = resourcePath({ version: 'v1', plural: 'configmaps', namespace });
      const informer = createInformer<ConfigMap>({
        client,
        path,
        labelSelector: 'loom.dev/cut-restart=yes',
        backoff: { initialMs: 100, maxMs: 1000 },
      });
      const seen = recordInformer(informer);
      const writer = trackedWriter(apiConfigMapWriter(lab.kubeConfig(), namespace));
      const labels = { 'loom.dev/cut-restart': 'yes' };
      try {
        await writer.create('cr-kept', { v: '1' }, labels);
        await writer.create('cr-gone', { v: '1' }, labels);
        informer.start();
        await informer.synced;
        seen.events.length = 0;

        // From here the informer cannot reach the API server until link.up().
        await link.down();
        await writer.create('cr-while-down', { v: '1' }, labels);
        await writer.update('cr-kept', { v: '2' });
        await lab.restart('kube-apiserver');
        // Written the moment the API server is back, before the informer could reconnect.
        await writer.create('cr-after-restart', { v: '1' }, labels);
        await writer.remove('cr-gone');
        await eventually(() => expect(seen.errors.length).toBeGreaterThanOrEqual(1), 10_000);
        expect(seen.events).toEqual([]);
        expect(seen.cached()).toEqual(['cr-gone=1', 'cr-kept=1']);

        await link.up();
        await eventually(() => {
          expect([...seen.events].sort()).toEqual([
            'add cr-after-restart',
            'add cr-while-down',
            'delete cr-gone',
            'update cr-kept',
          ]);
          expect(seen.cached()).toEqual(['cr-after-restart=1', 'cr-kept=2', 'cr-while-down=1']);
        }, 30_000);
      } finally {
        await informer.stop();
        client.close();
        await writer.cleanup();
      }
    });

    it('notices a silent partition by its stall timeout, then relists what changed during it', async () => {
      const client = createKubeClient(throughLink(lab.kubeConfig(), partition.port));
      const path = resourcePath({ version: 'v1', plural: 'configmaps', namespace });
      const informer = createInformer<ConfigMap>({
        client,
        path,
        labelSelector: 'loom.dev/partition=yes',
        // Watches of 1 s, cut 0.5 s after they should have ended: a silent one is noticed
        // within ~1.5 s, where the defaults (300-600 s + 30 s) would take minutes.
        watchTimeoutSeconds: 1,
        stallGraceMs: 500,
        backoff: { initialMs: 100, maxMs: 1000, jitter: 0 },
        listTimeoutMs: 5000,
      });
      const seen = recordInformer(informer);
      const writer = trackedWriter(apiConfigMapWriter(lab.kubeConfig(), namespace));
      const labels = { 'loom.dev/partition': 'yes' };
      try {
        for (const name of ['pt-a', 'pt-b', 'pt-c']) await writer.create(name, { v: '1' }, labels);
        informer.start();
        await informer.synced;
        seen.events.length = 0;
        expect(seen.errors).toEqual([]);

        await partition.partition();
        // The test's writes take the lab's bridge, which the partition does not touch.
        await writer.update('pt-a', { v: '2' });
        await writer.remove('pt-b');
        await writer.create('pt-d', { v: '1' }, labels);
        // Nothing is refused or reset: only the stall timeout tells the informer, for its open
        // watch and again for each new connection, whose SYN is dropped too.
        await eventually(
          () => expect(seen.errors.filter(isStall).length).toBeGreaterThanOrEqual(2),
          20_000,
        );
        expect(
          seen.errors.map((err) => err.message).filter((m) => !/stalled past its/.test(m)),
        ).toEqual([]);
        expect(seen.events).toEqual([]);
        expect(seen.cached()).toEqual(['pt-a=1', 'pt-b=1', 'pt-c=1']);
        expect(await partition.dropped()).toBeGreaterThan(0);
        // Compacted past the informer's resourceVersion: it can only catch up by relisting.
        await lab.compactEtcd();

        await partition.heal();
        await eventually(() => {
          expect([...seen.events].sort()).toEqual(['add pt-d', 'delete pt-b', 'update pt-a']);
          expect(seen.cached()).toEqual(['pt-a=2', 'pt-c=1', 'pt-d=1']);
        }, 30_000);
        // It relisted: its watch from the old resourceVersion was answered 410 Gone.
        expect(seen.errors.some(isGone)).toBe(true);
      } finally {
        await partition.heal();
        await informer.stop();
        client.close();
        await writer.cleanup();
      }
    });
  },
);

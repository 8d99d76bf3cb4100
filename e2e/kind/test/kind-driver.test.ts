import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KUBERNETES_VERSION, LOOM_IPAM_DATABASE } from '@loom-net/lab';
import { afterAll, describe, expect, it } from 'vitest';
import { excludeNode } from '../../daemonset-exclusion.ts';
import { kindDriver, READ_ALLOCATIONS } from '../../drivers/kind.ts';
import type { KindSettings } from '../kind-cluster.ts';
import { failure, fakeHost, type Responder } from './fake-host.ts';

const settings: KindSettings = {
  name: 'loom-e2e',
  config: '/repo/e2e/kind/cluster.yaml',
  imageArchive: '/repo/dist/image/loom.oci.tar',
  loom: ['/usr/bin/node24', '/repo/packages/cli/src/main.ts'],
  keep: false,
};
// Never created: release() of an owned cluster removes the work dir, which must be no one's.
const workDir = join(tmpdir(), `loom-kind-driver-test-${process.pid}`);
const cluster = { name: 'loom-e2e', kubeconfig: join(workDir, 'kubeconfig'), workDir };
const KUBECTL =
  'docker exec loom-e2e-control-plane kubectl --kubeconfig=/etc/kubernetes/admin.conf';

function driverWith(respond?: Responder, owned = false) {
  const host = fakeHost(respond);
  return { host, driver: kindDriver(cluster, owned, { host, settings, pollMs: 0 }) };
}

const pod = (uid: string, nodeName: string) => ({
  stdout: JSON.stringify({ metadata: { uid }, spec: { nodeName } }),
});
const sandbox = (netns: string) => ({
  stdout: JSON.stringify({
    info: {
      runtimeSpec: { linux: { namespaces: [{ type: 'pid' }, { type: 'network', path: netns }] } },
    },
  }),
});

describe('the kind cluster driver', () => {
  it('names kind’s three nodes and expects the lab’s Kubernetes version on containerd', () => {
    const { driver } = driverWith();
    expect(driver.name).toBe('kind');
    expect(driver.nodes).toEqual(['loom-e2e-control-plane', 'loom-e2e-worker', 'loom-e2e-worker2']);
    expect(driver.expected.kubeletVersion).toBe(KUBERNETES_VERSION);
    expect(driver.expected.containerRuntime.test('containerd://2.2.0')).toBe(true);
  });

  it('runs the control-plane node’s own kubectl, stdin only when there is some', async () => {
    const { host, driver } = driverWith();
    await driver.kubectl(['get', 'nodes']);
    await driver.apply([
      { kind: 'Namespace', metadata: { name: 'a' } },
      { kind: 'Namespace', metadata: { name: 'b' } },
    ]);
    expect(host.lines).toEqual([
      `${KUBECTL} get nodes`,
      'docker exec -i loom-e2e-control-plane kubectl --kubeconfig=/etc/kubernetes/admin.conf apply -f -',
    ]);
    expect(host.calls[1]!.options.stdin).toBe(
      '{"kind":"Namespace","metadata":{"name":"a"}}\n{"kind":"Namespace","metadata":{"name":"b"}}',
    );
  });

  it('throws kubectl’s message when apply fails', async () => {
    const { driver } = driverWith(() => failure('error: no objects passed to apply'));
    await expect(driver.apply([])).rejects.toThrow(
      'kubectl apply failed: error: no objects passed to apply',
    );
  });

  it('execs in a node with docker exec, and in a pod through its netns on its node', async () => {
    const { host, driver } = driverWith((line) => {
      if (line === `${KUBECTL} get pod -n e2e client -o json`)
        return pod('u-1', 'loom-e2e-worker2');
      if (line.includes('crictl pods')) return { stdout: 'sandbox-1\n' };
      if (line.includes('crictl inspectp')) return sandbox('/var/run/netns/cni-42');
      return { stdout: 'ok' };
    });
    expect((await driver.exec('loom-e2e-worker', ['ip', '-json', 'route'])).stdout).toBe('ok');
    await driver.exec('e2e/client', ['curl', '-sS', 'http://10.244.1.5:8080/clientip']);
    expect(host.lines).toEqual([
      'docker exec loom-e2e-worker ip -json route',
      `${KUBECTL} get pod -n e2e client -o json`,
      'docker exec loom-e2e-worker2 crictl pods --label io.kubernetes.pod.uid=u-1 --state ready -q',
      'docker exec loom-e2e-worker2 crictl inspectp sandbox-1',
      'docker exec loom-e2e-worker2 nsenter --net=/var/run/netns/cni-42 -- curl -sS http://10.244.1.5:8080/clientip',
    ]);
  });

  it('finds a pod’s netns path, and says so when the pod has no ready sandbox', async () => {
    const found = driverWith((line) => {
      if (line.includes('get pod')) return pod('u-2', 'loom-e2e-worker');
      if (line.includes('crictl pods')) return { stdout: 'sandbox-2\n' };
      if (line.includes('crictl inspectp')) return sandbox('/var/run/netns/cni-7');
    });
    expect(await found.driver.podNetns('e2e', 'ephemeral')).toBe('/var/run/netns/cni-7');
    const none = driverWith((line) =>
      line.includes('get pod') ? pod('u-3', 'loom-e2e-worker') : undefined,
    );
    await expect(none.driver.podNetns('e2e', 'gone')).rejects.toThrow(
      'kind driver: pod e2e/gone has no ready sandbox on loom-e2e-worker',
    );
  });

  it('reads loom-ipam’s allocations with the node’s loom-node', async () => {
    const { host, driver } = driverWith(() => ({ stdout: '10.244.1.2\n10.244.1.3\n' }));
    expect(await driver.allocatedPodIps('loom-e2e-worker')).toEqual(['10.244.1.2', '10.244.1.3']);
    expect(host.calls[0]!.argv).toEqual([
      'docker',
      'exec',
      'loom-e2e-worker',
      '/opt/cni/bin/loom-node',
      '-e',
      READ_ALLOCATIONS,
      LOOM_IPAM_DATABASE,
    ]);
  });

  it('stops a kubelet with systemctl (a killed one is restarted by systemd)', async () => {
    const { host, driver } = driverWith();
    await driver.stopKubelet('loom-e2e-worker2');
    expect(host.lines).toEqual(['docker exec loom-e2e-worker2 systemctl stop kubelet']);
  });

  it('stops the API server by taking its static pod manifest away, and waits until it answers no more', async () => {
    let readyz = 0;
    const { host, driver } = driverWith((line) => {
      if (!line.endsWith('get --raw=/readyz')) return undefined;
      // The kubelet takes a moment to stop the pod: ready twice, then refused.
      return ++readyz < 3 ? { stdout: 'ok' } : failure('connection refused');
    });
    await driver.stopApiServer();
    expect(host.lines).toEqual([
      'docker exec loom-e2e-control-plane mv /etc/kubernetes/manifests/kube-apiserver.yaml /etc/kubernetes/kube-apiserver.yaml.stopped-by-e2e',
      `${KUBECTL} get --raw=/readyz`,
      `${KUBECTL} get --raw=/readyz`,
      `${KUBECTL} get --raw=/readyz`,
    ]);
  });

  it('takes a node’s CNI config away with its DaemonSet pod gone first, and repair puts all back', async () => {
    const original = { podAntiAffinity: { x: 1 } };
    let podsListed = 0;
    const { host, driver } = driverWith((line) => {
      if (line.endsWith('get daemonset -n loom-system loom-node -o json')) {
        return { stdout: JSON.stringify({ spec: { template: { spec: { affinity: original } } } }) };
      }
      if (line.includes('--field-selector spec.nodeName=loom-e2e-worker')) {
        const owned = {
          name: 'loom-node-abcde',
          ownerReferences: [{ kind: 'DaemonSet', name: 'loom-node' }],
        };
        const other = {
          name: 'coredns-1',
          ownerReferences: [{ kind: 'ReplicaSet', name: 'coredns' }],
        };
        return {
          stdout: JSON.stringify({
            items:
              ++podsListed < 2 ? [{ metadata: owned }, { metadata: other }] : [{ metadata: other }],
          }),
        };
      }
    });
    await driver.removeCniConfig('loom-e2e-worker');
    await driver.repair();
    const patch = (affinity: object) =>
      `${KUBECTL} patch daemonset -n loom-system loom-node --type=json -p ${JSON.stringify([{ op: 'add', path: '/spec/template/spec/affinity', value: affinity }])}`;
    const pods = `${KUBECTL} get pods -n loom-system --field-selector spec.nodeName=loom-e2e-worker -o json`;
    expect(host.lines).toEqual([
      `${KUBECTL} get daemonset -n loom-system loom-node -o json`,
      patch(excludeNode(original, 'loom-e2e-worker')),
      pods,
      pods,
      'docker exec loom-e2e-worker rm -f /etc/cni/net.d/10-loom.conflist',
      // repair: the API server (a no-op unless parked), every kubelet, the DaemonSet as it was.
      `docker exec loom-e2e-control-plane sh -c if [ -e /etc/kubernetes/kube-apiserver.yaml.stopped-by-e2e ]; then mv /etc/kubernetes/kube-apiserver.yaml.stopped-by-e2e /etc/kubernetes/manifests/kube-apiserver.yaml; fi`,
      `${KUBECTL} get --raw=/readyz`,
      'docker exec loom-e2e-control-plane systemctl start kubelet',
      'docker exec loom-e2e-worker systemctl start kubelet',
      'docker exec loom-e2e-worker2 systemctl start kubelet',
      patch(original),
      `${KUBECTL} rollout status daemonset -n loom-system loom-node --timeout=180s`,
    ]);
  });

  it('keeps every node it took the DaemonSet off out, until repair', async () => {
    const { host, driver } = driverWith((line) => {
      if (line.includes('get daemonset')) return { stdout: '{"spec":{"template":{"spec":{}}}}' };
      if (line.includes('get pods -n loom-system')) return { stdout: '{"items":[]}' };
    });
    await driver.removeCniConfig('loom-e2e-worker');
    await driver.removeCniConfig('loom-e2e-worker2');
    const patches = host.lines.filter((line) => line.includes(' patch daemonset '));
    expect(patches.at(-1)).toContain(
      JSON.stringify({
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
              {
                matchExpressions: [
                  { key: 'kubernetes.io/hostname', operator: 'NotIn', values: ['loom-e2e-worker'] },
                  {
                    key: 'kubernetes.io/hostname',
                    operator: 'NotIn',
                    values: ['loom-e2e-worker2'],
                  },
                ],
              },
            ],
          },
        },
      }),
    );
    await driver.repair();
    // No affinity before: repair removes the one it added.
    expect(host.lines.filter((line) => line.includes(' patch daemonset ')).at(-1)).toContain(
      '[{"op":"remove","path":"/spec/template/spec/affinity"}]',
    );
  });

  it('repairs a cluster with nothing broken without touching the DaemonSet', async () => {
    const { host, driver } = driverWith();
    await driver.repair();
    expect(host.lines.some((line) => line.includes('daemonset'))).toBe(false);
    expect(host.lines.filter((line) => line.endsWith('systemctl start kubelet'))).toHaveLength(3);
  });

  it('refuses to add or remove nodes, saying why', async () => {
    const { driver } = driverWith();
    await expect(driver.addNode()).rejects.toThrow(
      /the kind driver cannot add nodes: a kind cluster keeps the nodes e2e\/kind\/cluster\.yaml gives it/,
    );
    await expect(driver.removeNode('loom-e2e-worker3')).rejects.toThrow(
      'the kind driver cannot remove nodes',
    );
  });

  it('turns a failed node command into an error naming the action and node', async () => {
    const { driver } = driverWith(() =>
      failure('Error response from daemon: No such container: loom-e2e-worker'),
    );
    await expect(driver.stopKubelet('loom-e2e-worker')).rejects.toThrow(
      'kind driver: cannot stop the kubelet of loom-e2e-worker: Error response from daemon: No such container: loom-e2e-worker',
    );
  });

  it('deletes the cluster on release only when it brought it up', async () => {
    const attached = driverWith();
    await attached.driver.release();
    expect(attached.host.lines).toEqual([]);
    const owned = driverWith(undefined, true);
    await owned.driver.release();
    expect(owned.host.lines).toEqual([
      `kind delete cluster --name loom-e2e --kubeconfig ${cluster.kubeconfig}`,
    ]);
  });
});

describe('ruling a node out of the DaemonSet', () => {
  const notOn = (node: string) => ({
    key: 'kubernetes.io/hostname',
    operator: 'NotIn',
    values: [node],
  });

  it('adds a required term when there is no node affinity', () => {
    expect(excludeNode(undefined, 'n1')).toEqual({
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchExpressions: [notOn('n1')] }],
        },
      },
    });
  });

  it('adds the expression to every existing term (terms are ORed) and keeps the rest', () => {
    const linux = { key: 'kubernetes.io/os', operator: 'In', values: ['linux'] };
    const affinity = {
      podAntiAffinity: { keep: true },
      nodeAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [],
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            { matchExpressions: [linux] },
            { matchFields: [{ key: 'metadata.name' }] },
          ],
        },
      },
    };
    expect(excludeNode(affinity, 'n2')).toEqual({
      podAntiAffinity: { keep: true },
      nodeAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [],
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            { matchExpressions: [linux, notOn('n2')] },
            { matchFields: [{ key: 'metadata.name' }], matchExpressions: [notOn('n2')] },
          ],
        },
      },
    });
  });
});

describe('reading loom-ipam’s allocations on a node', () => {
  const dir = mkdtempSync(join(tmpdir(), 'loom-kind-ipam-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints every allocated address of a real loom-ipam database, with Node 24 as on the node', async () => {
    const { openAllocationStore } = await import('@loom-net/ipam');
    const store = openAllocationStore(dir, 'loom');
    store.write((tx) => {
      tx.insert({ address: '10.244.1.2', containerId: 'c1', ifname: 'eth0' });
      tx.insert({ address: '10.244.1.3', containerId: 'c2', ifname: 'eth0' });
    });
    try {
      const out = execFileSync(process.execPath, ['-e', READ_ALLOCATIONS, store.path], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      expect(out.split('\n').filter(Boolean).sort()).toEqual(['10.244.1.2', '10.244.1.3']);
    } finally {
      store.close();
    }
  });
});

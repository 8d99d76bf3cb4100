import type { LabStatus, NodeStatus, UpReport } from '@loom-net/lab';
import { resolveLabConfig } from '@loom-net/lab';
import { describe, expect, it } from 'vitest';
import { formatDownReport, formatStatus, formatUpReport } from '../src/lab-report-format.ts';

const config = resolveLabConfig({ stateDir: '/var/lib/loom-lab' }, {});

describe('lab report formatting', () => {
  it('shows a dead component with the tail of its log', () => {
    const status: LabStatus = {
      config,
      exists: true,
      healthy: false,
      namespaces: [
        { name: 'loom-switch', exists: true },
        { name: 'loom-cp', exists: true },
      ],
      components: [
        {
          name: 'etcd',
          namespace: 'control-plane',
          running: true,
          pid: 41,
          health: { ok: true, detail: '200 {"health":"true"}' },
          logFile: '/var/lib/loom-lab/logs/etcd.log',
        },
        {
          name: 'kube-scheduler',
          namespace: 'control-plane',
          running: false,
          logFile: '/var/lib/loom-lab/logs/kube-scheduler.log',
          logTail: 'I1126 started\nE1126 boom',
        },
      ],
      nodes: [],
      hostApiServer: 'https://127.0.0.1:36443',
    };
    expect(formatStatus(status)).toBe(
      [
        'lab: degraded (state dir /var/lib/loom-lab)',
        'API from this namespace: https://127.0.0.1:36443',
        'netns loom-switch: present',
        'netns loom-cp: present',
        'COMPONENT                STATE     PID      HEALTH',
        'etcd                     running   41       ok',
        'kube-scheduler           stopped   -        -',
        '  last lines of /var/lib/loom-lab/logs/kube-scheduler.log:',
        '  | I1126 started',
        '  | E1126 boom',
      ].join('\n'),
    );
  });

  it('says a second down had nothing to do', () => {
    expect(
      formatDownReport({
        config,
        found: false,
        nodes: [],
        stopped: [],
        namespacesRemoved: [],
        hostDirsRemoved: [],
        durationMs: 3,
      }),
    ).toBe('no lab in /var/lib/loom-lab: nothing to do');
  });

  const node = (name: string, ip: string, over: Partial<NodeStatus>): NodeStatus => ({
    name,
    ip,
    netns: `loom-${name}`,
    netnsExists: true,
    mountNamespaceExists: true,
    processes: [
      { name: 'lab-runtime', running: true, pid: 10, logFile: `/l/${name}-lab-runtime.log` },
      { name: 'kubelet', running: true, pid: 11, logFile: `/l/${name}-kubelet.log` },
    ],
    ...over,
  });
  const condition = {
    registered: true,
    kubeletVersion: 'v1.37.2',
    containerRuntimeVersion: 'loom-lab://0.1.0',
    podCidr: '10.244.1.0/24',
  };

  it('shows each node: kubelet, runtime, readiness and why it is not Ready', () => {
    const status: LabStatus = {
      config,
      exists: true,
      healthy: false,
      namespaces: [],
      components: [],
      nodes: [
        node('node1', '192.168.1.11', {
          condition: {
            name: 'node1',
            ready: true,
            reason: 'KubeletReady',
            message: '',
            ...condition,
          },
        }),
        node('node2', '192.168.1.12', {
          processes: [
            { name: 'lab-runtime', running: true, pid: 20, logFile: '/l/node2-lab-runtime.log' },
            {
              name: 'kubelet',
              running: false,
              logFile: '/l/node2-kubelet.log',
              logTail: 'E1126 killed',
            },
          ],
          condition: {
            name: 'node2',
            ready: false,
            reason: 'NodeStatusUnknown',
            message: 'Kubelet stopped posting node status.',
            ...condition,
          },
        }),
      ],
    };
    expect(formatStatus(status).split('\n').slice(2)).toEqual([
      'NODE     IP             KUBELET         RUNTIME         READY',
      'node1    192.168.1.11   running 11      running 10      Ready',
      'node2    192.168.1.12   stopped         running 20      NotReady (NodeStatusUnknown: Kubelet stopped posting node status.)',
      '  last lines of /l/node2-kubelet.log:',
      '  | E1126 killed',
    ]);
  });

  it('reports nodes brought up, with the time each took to get Ready', () => {
    const report = {
      config,
      alreadyUp: false,
      binaries: { binDir: '/b', source: 'cache', built: [], durationMs: 0 },
      components: [],
      nodeSettings: { count: 1, remote: 0, cni: 'bridge', podCidrs: 'lab' },
      nodes: [
        {
          name: 'node1',
          ip: '192.168.1.11',
          action: 'started',
          pids: { 'lab-runtime': 7, kubelet: 8 },
          ready: true,
          durationMs: 3200,
        },
      ],
      hostApiServer: 'https://127.0.0.1:36443',
      durationMs: 9100,
    } satisfies UpReport;
    const text = formatUpReport(report);
    expect(text).toContain(
      '  node1 192.168.1.11       started    kubelet pid 8, runtime pid 7  Ready in 3.2s',
    );
    expect(text).toContain('Nodes: 1, CNI bridge + host-local, podCIDRs 10.244.N.0/24 per nodeN');
  });

  it("reports Loom's image, the install and remote nodes", () => {
    const report = {
      config,
      alreadyUp: false,
      binaries: { binDir: '/b', source: 'cache', built: [], durationMs: 0 },
      image: {
        description: {
          reference: 'ghcr.io/loom-net/loom:0.1.0',
          digest: 'sha256:abc',
          configDigest: 'sha256:def',
          archive: '/r/dist/image/loom.oci.tar',
          layers: [],
          compressedBytes: 70_700_000,
          uncompressedBytes: 192_400_000,
        },
        nodeImage: { archive: '/r/dist/image/loom.oci.tar', storeDir: '/s/images' },
        pinned: 'ghcr.io/loom-net/loom:0.1.0@sha256:abc',
      },
      components: [],
      nodeSettings: { count: 2, remote: 1, cni: 'loom', podCidrs: 'loom' },
      nodes: [
        {
          name: 'node2',
          ip: '192.168.2.12',
          action: 'started',
          pids: { 'lab-runtime': 7, kubelet: 8 },
          ready: true,
          durationMs: 4100,
        },
      ],
      hostApiServer: 'https://127.0.0.1:36443',
      durationMs: 9100,
    } satisfies UpReport;
    const text = formatUpReport(report);
    expect(text).toContain(
      '  Loom image: ghcr.io/loom-net/loom:0.1.0@sha256:abc (70.7 MB compressed, 192.4 MB unpacked) in /r/dist/image/loom.oci.tar',
    );
    expect(text).toContain(
      '  node2 192.168.2.12       started    kubelet pid 8, runtime pid 7  Ready in 4.1s',
    );
    expect(text).toContain(
      'Nodes: 2 (the last 1 on 192.168.2.0/24, behind netns loom-router), CNI loom (installed by loom install from the image: the loom-node DaemonSet), podCIDRs from loom-pod-cidr-allocator',
    );
  });
});

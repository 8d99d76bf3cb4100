import type { Node } from '@loom-net/core';
import { describe, expect, it } from 'vitest';
import type { ManifestObject } from '../src/cluster/manifest-object.ts';
import type { PodObject } from '../src/cluster/pod-object.ts';
import { buildStatus } from '../src/status/loom-status.ts';
import { containerFlag, routeModeFromMetrics } from '../src/status/route-mode.ts';
import { formatLoomStatus } from '../src/status/status-format.ts';
import type { StatusSnapshot } from '../src/status/status-snapshot.ts';

const IMAGE = 'ghcr.io/loom-net/loom:0.1.0';
const nodeDaemonSet = (ready: number): ManifestObject =>
  ({
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: {
      name: 'loom-node',
      namespace: 'loom-system',
      generation: 1,
      labels: {
        'app.kubernetes.io/component': 'route-agent',
        'app.kubernetes.io/version': '0.1.0',
      },
    },
    spec: {
      template: {
        spec: {
          containers: [
            { name: 'route-agent', image: IMAGE, command: ['loom-route-agent', '--mode=vxlan'] },
          ],
        },
      },
    },
    status: {
      observedGeneration: 1,
      desiredNumberScheduled: 2,
      updatedNumberScheduled: 2,
      numberReady: ready,
      numberAvailable: ready,
    },
  }) as ManifestObject;
const node = (name: string, podCidr: string, ready = true): Node => ({
  metadata: { name },
  spec: { podCIDRs: [podCidr] },
  status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});
const agentPod = (
  nodeName: string,
  ready: boolean,
  extra: Partial<NonNullable<PodObject['status']>> = {},
): PodObject => ({
  metadata: {
    name: `loom-node-${nodeName}`,
    namespace: 'loom-system',
    ownerReferences: [{ kind: 'DaemonSet', name: 'loom-node' }],
  },
  spec: { nodeName },
  status: {
    phase: 'Running',
    conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }],
    containerStatuses: [{ name: 'route-agent', ready, restartCount: 0, state: { running: {} } }],
    ...extra,
  },
});
const config = {
  'cluster-cidr': '10.244.0.0/16',
  'service-cidr': '10.96.0.0/12',
  'node-cidr-mask-size': '24',
  'api-server-host': '192.168.1.10',
  'api-server-port': '6443',
};

describe('loom status', () => {
  const healthy: StatusSnapshot = {
    workloads: [nodeDaemonSet(2)],
    pods: [
      agentPod('node1', true),
      agentPod('node2', true, {
        containerStatuses: [
          {
            name: 'route-agent',
            ready: true,
            restartCount: 1,
            state: { running: {} },
            lastState: {
              terminated: {
                exitCode: 137,
                reason: 'OOMKilled',
                finishedAt: '2026-12-02T10:00:00Z',
              },
            },
          },
        ],
      }),
    ],
    nodes: [node('node1', '10.244.1.0/24'), node('node2', '10.244.2.0/24')],
    config,
    modes: new Map([
      ['loom-node-node1', 'vxlan'],
      ['loom-node-node2', 'unknown (metrics timed out)'],
    ]),
  };

  it('a healthy install: one table per component and per node, and the facts', () => {
    const status = buildStatus(healthy);
    expect(status.healthy).toBe(true);
    expect(formatLoomStatus(status).split('\n')).toEqual([
      'COMPONENT    KIND       NAME       DESIRED  READY  UPDATED  AVAILABLE  VERSION  IMAGE',
      `route-agent  DaemonSet  loom-node  2        2      2        2          0.1.0    ${IMAGE}`,
      '',
      'NODE   READY  POD CIDR       LOOM-NODE POD    POD READY  RESTARTS  MODE                         LAST ERROR',
      'node1  Ready  10.244.1.0/24  loom-node-node1  yes        0         vxlan',
      'node2  Ready  10.244.2.0/24  loom-node-node2  yes        1         unknown (metrics timed out)  route-agent last exited 137 (OOMKilled) at 2026-12-02T10:00:00Z',
      '',
      'Cluster (loom-config):',
      '  pod CIDR:      10.244.0.0/16',
      '  service CIDR:  10.96.0.0/12',
      '  node CIDR:     /24',
      '  API server:    192.168.1.10:6443',
      '  routing mode:  vxlan (configured); per node in MODE above',
      '',
      'Healthy.',
    ]);
  });

  it.each([
    {
      name: 'a crash-looping agent',
      snapshot: {
        ...healthy,
        workloads: [nodeDaemonSet(1)],
        pods: [
          agentPod('node1', true),
          agentPod('node2', false, {
            containerStatuses: [
              {
                name: 'route-agent',
                restartCount: 5,
                state: { waiting: { reason: 'CrashLoopBackOff' } },
                lastState: { terminated: { exitCode: 1 } },
              },
            ],
          }),
        ],
      },
      problems: [
        'DaemonSet loom-node: 1/2 ready, 2/2 updated',
        'node node2: loom-node pod loom-node-node2 not ready (container route-agent: CrashLoopBackOff, 5 restart(s), last exit 1)',
      ],
    },
    {
      name: 'a node without its agent, NotReady',
      snapshot: {
        ...healthy,
        pods: [agentPod('node1', true)],
        nodes: [node('node1', '10.244.1.0/24'), node('node2', '10.244.2.0/24', false)],
      },
      problems: ['node node2: loom-node pod missing', 'node node2 is not Ready'],
    },
    {
      name: 'loom-config deleted',
      snapshot: { ...healthy, config: undefined },
      problems: ['ConfigMap loom-system/loom-config is missing'],
    },
    {
      name: 'not installed',
      snapshot: {
        workloads: [],
        pods: [],
        nodes: [node('node1', '10.244.1.0/24')],
        modes: new Map(),
      },
      problems: [
        'Loom is not installed (no workload labelled app.kubernetes.io/part-of=loom, no loom-config)',
      ],
    },
  ])('unhealthy: $name', ({ snapshot, problems }) => {
    const status = buildStatus(snapshot as StatusSnapshot);
    expect(status.healthy).toBe(false);
    expect(status.problems).toEqual(problems);
  });

  it.each([
    { name: 'no peers', text: '# HELP x\n', mode: 'no peers' },
    {
      name: 'direct',
      text: 'loom_route_agent_routes{path="direct",family="4"} 2\n',
      mode: 'direct',
    },
    {
      name: 'vxlan',
      text: 'loom_route_agent_routes{path="vxlan",family="4"} 2\nloom_route_agent_routes{path="vxlan",family="6"} 2\n',
      mode: 'vxlan',
    },
    {
      name: 'mixed',
      text: 'loom_route_agent_routes{path="direct",family="4"} 1\nloom_route_agent_routes{path="vxlan",family="4"} 1\n',
      mode: 'mixed (1 direct, 1 vxlan)',
    },
  ])('routing mode from the agent metrics: $name', ({ text, mode }) => {
    expect(routeModeFromMetrics(text)).toBe(mode);
  });

  it.each([
    { container: { args: ['--mode=direct'] }, want: 'direct' },
    { container: { command: ['loom-route-agent', '--mode', 'vxlan'] }, want: 'vxlan' },
    { container: { env: [{ name: 'LOOM_MODE', value: 'auto' }] }, want: 'auto' },
    { container: {}, want: undefined },
  ])('reads --mode from $container', ({ container, want }) => {
    expect(containerFlag(container, 'mode')).toBe(want);
  });
});

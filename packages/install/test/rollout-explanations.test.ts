import { describe, expect, it } from 'vitest';
import type { ManifestObject } from '../src/cluster/manifest-object.ts';
import type { PodObject } from '../src/cluster/pod-object.ts';
import { formatInstallSummary } from '../src/install/install-format.ts';
import type { InstallReport } from '../src/install/install-loom.ts';
import { lastLines, podProblems } from '../src/install/pod-problems.ts';
import { formatRollout, workloadRollout } from '../src/install/rollout-status.ts';

const daemonSet = (generation: number, status: Record<string, number>): ManifestObject =>
  ({
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'loom-node', namespace: 'loom-system', generation },
    status,
  }) as ManifestObject;
const deployment = (replicas: number, status: Record<string, number>): ManifestObject =>
  ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'alloc', namespace: 'loom-system', generation: 1 },
    spec: { replicas },
    status,
  }) as ManifestObject;

describe('rollout status', () => {
  it.each([
    {
      name: 'DaemonSet not observed yet',
      object: daemonSet(2, {
        observedGeneration: 1,
        desiredNumberScheduled: 3,
        updatedNumberScheduled: 3,
        numberReady: 3,
        numberAvailable: 3,
      }),
      line: 'DaemonSet loom-system/loom-node: 3/3 ready, 3/3 updated, 3 available (waiting for the controller)',
    },
    {
      name: 'DaemonSet half way',
      object: daemonSet(1, {
        observedGeneration: 1,
        desiredNumberScheduled: 3,
        updatedNumberScheduled: 3,
        numberReady: 1,
        numberAvailable: 1,
      }),
      line: 'DaemonSet loom-system/loom-node: 1/3 ready, 3/3 updated, 1 available',
    },
    {
      name: 'DaemonSet done',
      object: daemonSet(1, {
        observedGeneration: 1,
        desiredNumberScheduled: 3,
        updatedNumberScheduled: 3,
        numberReady: 3,
        numberAvailable: 3,
      }),
      line: 'DaemonSet loom-system/loom-node: 3/3 ready, 3/3 updated, 3 available (rolled out)',
    },
    {
      name: 'Deployment with an old replica left',
      object: deployment(2, {
        observedGeneration: 1,
        replicas: 3,
        updatedReplicas: 2,
        readyReplicas: 3,
        availableReplicas: 2,
      }),
      line: 'Deployment loom-system/alloc: 3/2 ready, 2/2 updated, 2 available',
    },
    {
      name: 'Deployment done',
      object: deployment(2, {
        observedGeneration: 1,
        replicas: 2,
        updatedReplicas: 2,
        readyReplicas: 2,
        availableReplicas: 2,
      }),
      line: 'Deployment loom-system/alloc: 2/2 ready, 2/2 updated, 2 available (rolled out)',
    },
  ])('$name', ({ object, line }) => {
    expect(formatRollout(workloadRollout(object))).toBe(line);
  });
});

const pod = (status: PodObject['status'], nodeName = 'node1'): PodObject => ({
  metadata: { name: 'loom-node-abcde', namespace: 'loom-system' },
  spec: { nodeName },
  status,
});

describe('why a pod is not ready', () => {
  it.each([
    {
      name: 'unschedulable',
      pod: {
        metadata: { name: 'alloc-1', namespace: 'loom-system' },
        status: {
          phase: 'Pending',
          conditions: [
            {
              type: 'PodScheduled',
              status: 'False',
              reason: 'Unschedulable',
              message:
                '0/3 nodes are available: 3 node(s) had untolerated taint {node.kubernetes.io/not-ready: }.',
            },
          ],
        },
      },
      want: [
        {
          pod: 'loom-system/alloc-1',
          kind: 'unschedulable',
          message:
            'not scheduled: 0/3 nodes are available: 3 node(s) had untolerated taint {node.kubernetes.io/not-ready: }.',
        },
      ],
    },
    {
      name: 'image pull in the init container',
      pod: pod({
        phase: 'Pending',
        initContainerStatuses: [
          {
            name: 'install-cni',
            image: 'ghcr.io/loom-net/loom:0.1.0',
            state: {
              waiting: {
                reason: 'ImagePullBackOff',
                message: 'Back-off pulling image "ghcr.io/loom-net/loom:0.1.0"',
              },
            },
          },
        ],
      }),
      want: [
        {
          pod: 'loom-system/loom-node-abcde',
          node: 'node1',
          kind: 'image-pull',
          message:
            'init container install-cni: ImagePullBackOff: Back-off pulling image "ghcr.io/loom-net/loom:0.1.0" (image ghcr.io/loom-net/loom:0.1.0)',
        },
      ],
    },
    {
      name: "crash loop, with the crashed run's log to read",
      pod: pod({
        phase: 'Running',
        initContainerStatuses: [{ name: 'install-cni', ready: true }],
        containerStatuses: [
          {
            name: 'route-agent',
            restartCount: 4,
            state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 1m20s' } },
            lastState: { terminated: { exitCode: 2, reason: 'Error' } },
          },
        ],
      }),
      want: [
        {
          pod: 'loom-system/loom-node-abcde',
          node: 'node1',
          kind: 'crash-loop',
          message: 'container route-agent: CrashLoopBackOff, 4 restart(s), last exit 2 (Error)',
          logs: { container: 'route-agent', previous: false },
        },
      ],
    },
    {
      name: 'a command the runtime cannot start: its message, no log to read',
      pod: pod({
        phase: 'Running',
        containerStatuses: [
          {
            name: 'cleanup',
            restartCount: 2,
            state: { waiting: { reason: 'CrashLoopBackOff' } },
            lastState: {
              terminated: {
                exitCode: 128,
                reason: 'StartError',
                message: 'exec: "loom-node-cleanup": executable file not found in $PATH',
              },
            },
          },
        ],
      }),
      want: [
        {
          pod: 'loom-system/loom-node-abcde',
          node: 'node1',
          kind: 'crash-loop',
          message:
            'container cleanup: CrashLoopBackOff, 2 restart(s), last exit 128 (StartError: exec: "loom-node-cleanup": executable file not found in $PATH)',
        },
      ],
    },
    {
      name: 'init container still running',
      pod: pod({
        phase: 'Pending',
        initContainerStatuses: [
          { name: 'install-cni', state: { running: { startedAt: '2026-12-02T11:00:00Z' } } },
        ],
      }),
      want: [
        {
          pod: 'loom-system/loom-node-abcde',
          node: 'node1',
          kind: 'init-running',
          message:
            'init container install-cni has not finished (running since 2026-12-02T11:00:00Z)',
          logs: { container: 'install-cni', previous: false },
        },
      ],
    },
    {
      name: 'running, readiness failing',
      pod: pod({
        phase: 'Running',
        containerStatuses: [{ name: 'route-agent', state: { running: {} } }],
      }),
      want: [
        {
          pod: 'loom-system/loom-node-abcde',
          node: 'node1',
          kind: 'not-ready',
          message: 'container route-agent: running, readiness probe not passing',
          logs: { container: 'route-agent', previous: false },
        },
      ],
    },
    {
      name: 'config error',
      pod: pod({
        phase: 'Pending',
        containerStatuses: [
          {
            name: 'route-agent',
            state: {
              waiting: {
                reason: 'CreateContainerConfigError',
                message: 'configmap "loom-config" not found',
              },
            },
          },
        ],
      }),
      want: [
        {
          pod: 'loom-system/loom-node-abcde',
          node: 'node1',
          kind: 'container-config',
          message:
            'container route-agent: CreateContainerConfigError: configmap "loom-config" not found',
        },
      ],
    },
    {
      name: 'ready',
      pod: pod({
        phase: 'Running',
        conditions: [{ type: 'Ready', status: 'True' }],
        containerStatuses: [{ name: 'route-agent', ready: true }],
      }),
      want: [],
    },
  ])('$name', ({ pod, want }) => {
    expect(podProblems(pod)).toEqual(want);
  });

  it('keeps the last lines of a log', () => {
    expect(lastLines('a\nb\n\nc\nd\n', 2)).toEqual(['c', 'd']);
  });

  it('a timed-out install names each pod, why, and the log lines', () => {
    const report = {
      objects: [],
      applied: [],
      rollout: {
        done: false,
        elapsedMs: 300_000,
        rollouts: [
          workloadRollout(
            daemonSet(1, {
              observedGeneration: 1,
              desiredNumberScheduled: 3,
              updatedNumberScheduled: 3,
              numberReady: 2,
              numberAvailable: 2,
            }),
          ),
        ],
        problems: [
          {
            pod: 'loom-system/loom-node-x',
            node: 'node3',
            kind: 'crash-loop',
            message: 'container route-agent: CrashLoopBackOff, 3 restart(s), last exit 1 (Error)',
            logs: { container: 'route-agent', previous: true },
            logLines: ['{"level":"fatal","msg":"cannot list nodes: 403"}'],
          },
        ],
      },
    } as unknown as InstallReport;
    expect(formatInstallSummary(report)).toEqual([
      'Timed out after 300.0 s: not rolled out:',
      '  DaemonSet loom-system/loom-node: 2/3 ready',
      'Pods not ready:',
      '  loom-system/loom-node-x on node3: container route-agent: CrashLoopBackOff, 3 restart(s), last exit 1 (Error)',
      '    last log lines (route-agent, previous run):',
      '      {"level":"fatal","msg":"cannot list nodes: 403"}',
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { cleanupDaemonSet, cleanupSummary } from '../src/uninstall/cleanup-daemonset.ts';

describe('the node cleanup DaemonSet', () => {
  it('runs loom-node-cleanup on every node with only NET_ADMIN, and is ready once the node is clean', () => {
    const ds = cleanupDaemonSet('ghcr.io/loom-net/loom:0.1.0') as unknown as {
      metadata: { labels: Record<string, string> };
      spec: {
        template: {
          spec: {
            hostNetwork: boolean;
            tolerations: unknown[];
            containers: Array<{
              command: string[];
              securityContext: unknown;
              readinessProbe: { exec: { command: string[] } };
              volumeMounts: Array<{ mountPath: string }>;
            }>;
          };
        };
      };
    };
    const pod = ds.spec.template.spec;
    const [container] = pod.containers;
    expect(ds.metadata.labels['app.kubernetes.io/part-of']).toBe('loom');
    expect(pod.hostNetwork).toBe(true);
    expect(pod.tolerations).toEqual([{ operator: 'Exists' }]);
    expect(container?.command).toEqual(['loom-node-cleanup', '--stay']);
    expect(container?.securityContext).toEqual({
      capabilities: { add: ['NET_ADMIN'] },
      allowPrivilegeEscalation: false,
    });
    expect(container?.readinessProbe.exec.command).toEqual(['loom-node-cleanup', '--check']);
    expect(container?.volumeMounts.map((m) => m.mountPath)).toEqual([
      '/opt/cni/bin',
      '/etc/cni/net.d',
      '/var/lib/cni',
      '/run/loom-node-cleanup',
    ]);
  });

  it.each([
    {
      log: '{"level":"info","msg":"starting"}\n{"level":"info","msg":"node cleaned","summary":"2 route(s); vxlan removed"}\n',
      want: '2 route(s); vxlan removed',
    },
    {
      log: 'not json\n{"level":"error","msg":"node cleanup failed: nft: Operation not permitted"}\n',
      want: undefined,
    },
    { log: '', want: undefined },
  ])('reads the summary from the pod log', ({ log, want }) => {
    expect(cleanupSummary(log)).toBe(want);
  });
});

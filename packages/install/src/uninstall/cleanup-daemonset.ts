import {
  COMPONENT_LABEL,
  LOOM_NAMESPACE,
  type ManifestObject,
  PART_OF_LABEL,
} from '../cluster/manifest-object.ts';

export const CLEANUP_DAEMONSET = 'loom-node-cleanup';

/** The log line loom-node-cleanup writes once a node is clean (route-agent/node-cleanup-main.ts). */
export const CLEANED_MESSAGE = 'node cleaned';

const NAME_LABEL = 'app.kubernetes.io/name';

/**
 * The DaemonSet that cleans every node on `loom uninstall`: Loom's image running
 * `loom-node-cleanup --stay` in the node's network namespace (hostNetwork) with the node's CNI
 * directories mounted. It turns Ready once its node is clean (readiness runs `--check`), so
 * the DaemonSet's ready count is the number of clean nodes; then uninstall deletes it. It
 * tolerates every taint: a NotReady or cordoned node is cleaned too. NET_ADMIN is all it
 * needs (routes, links, nft); root in the container deletes the files.
 */
export function cleanupDaemonSet(image: string): ManifestObject {
  const labels = {
    [PART_OF_LABEL]: 'loom',
    [COMPONENT_LABEL]: 'node-cleanup',
    [NAME_LABEL]: CLEANUP_DAEMONSET,
  };
  const hostDir = (name: string, path: string) => ({
    name,
    hostPath: { path, type: 'DirectoryOrCreate' },
  });
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: CLEANUP_DAEMONSET, namespace: LOOM_NAMESPACE, labels },
    spec: {
      selector: { matchLabels: { [NAME_LABEL]: CLEANUP_DAEMONSET } },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '100%' } },
      template: {
        metadata: { labels },
        spec: {
          hostNetwork: true,
          dnsPolicy: 'Default',
          priorityClassName: 'system-node-critical',
          tolerations: [{ operator: 'Exists' }],
          automountServiceAccountToken: false,
          terminationGracePeriodSeconds: 2,
          containers: [
            {
              name: 'cleanup',
              image,
              command: ['loom-node-cleanup', '--stay'],
              securityContext: {
                capabilities: { add: ['NET_ADMIN'] },
                allowPrivilegeEscalation: false,
              },
              readinessProbe: {
                exec: { command: ['loom-node-cleanup', '--check'] },
                periodSeconds: 2,
                failureThreshold: 1,
              },
              resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '128Mi' } },
              volumeMounts: [
                { name: 'cni-bin', mountPath: '/opt/cni/bin' },
                { name: 'cni-conf', mountPath: '/etc/cni/net.d' },
                { name: 'cni-state', mountPath: '/var/lib/cni' },
                { name: 'done', mountPath: '/run/loom-node-cleanup' },
              ],
            },
          ],
          volumes: [
            hostDir('cni-bin', '/opt/cni/bin'),
            hostDir('cni-conf', '/etc/cni/net.d'),
            hostDir('cni-state', '/var/lib/cni'),
            { name: 'done', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } },
          ],
        },
      },
    },
  };
}

/** The summary a cleanup pod logged, or undefined when it has not finished. */
export function cleanupSummary(log: string): string | undefined {
  for (const line of log.split('\n').reverse()) {
    try {
      const entry = JSON.parse(line) as { msg?: string; summary?: string };
      if (entry.msg === CLEANED_MESSAGE) return entry.summary ?? 'cleaned';
    } catch {
      // Not a JSON log line (a runtime's message): skip it.
    }
  }
  return undefined;
}

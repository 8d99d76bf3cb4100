/** Kubernetes' own test images; the lab runtime maps them to the built agnhost and busybox. */
export const AGNHOST = 'registry.k8s.io/e2e-test-images/agnhost:2.53';
export const BUSYBOX = 'registry.k8s.io/e2e-test-images/busybox:1.36.1-1';

export function namespace(name: string): object {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
}

interface PodOptions {
  namespace: string;
  name: string;
  image?: string;
  args?: string[];
  command?: string[];
  labels?: Record<string, string>;
  node?: string;
  container?: Record<string, unknown>;
}

function podSpec(options: Omit<PodOptions, 'namespace' | 'name' | 'labels'>): object {
  return {
    ...(options.node ? { nodeSelector: { 'kubernetes.io/hostname': options.node } } : {}),
    terminationGracePeriodSeconds: 1,
    containers: [
      {
        name: 'main',
        image: options.image ?? AGNHOST,
        ...(options.command ? { command: options.command } : {}),
        ...(options.args ? { args: options.args } : {}),
        ...options.container,
      },
    ],
  };
}

export function pod(options: PodOptions): object {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: options.name,
      namespace: options.namespace,
      ...(options.labels ? { labels: options.labels } : {}),
    },
    spec: podSpec(options),
  };
}

/** agnhost netexec: an HTTP server whose /clientip answers with the caller's address. */
export const NETEXEC_ARGS = ['netexec', '--http-port=8080', '--udp-port=8081'];

export function netexecDeployment(namespace: string, name: string, replicas: number): object {
  const labels = { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: podSpec({
          args: NETEXEC_ARGS,
          container: {
            readinessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 1 },
          },
        }),
      },
    },
  };
}

import { createKubeClient, type KubeClient } from '../kube/kube-client.ts';
import { loadKubeConfig } from '../kube/load-kube-config.ts';

export interface DaemonKubeClientOptions {
  /** Starts the error line: `loom-route-agent: …`. */
  readonly command: string;
  /** `--kubeconfig`; absent: KUBECONFIG, in-cluster, ~/.kube/config. */
  readonly kubeconfig?: string | undefined;
  readonly userAgent: string;
}

/**
 * A daemon's API client, made before it starts. A missing, unreadable or clusterless
 * kubeconfig is the user's to fix, like a bad flag: one line on stderr and exit 2, not a
 * stack trace.
 */
export function daemonKubeClient(options: DaemonKubeClientOptions): KubeClient {
  try {
    const kubeConfig = loadKubeConfig(options.kubeconfig ? { path: options.kubeconfig } : {});
    return createKubeClient(kubeConfig, { userAgent: options.userAgent });
  } catch (error) {
    let message = (error as Error).message.replaceAll('\n', ' ');
    if (options.kubeconfig !== undefined && !message.includes(options.kubeconfig)) {
      message = `${message} (--kubeconfig ${options.kubeconfig})`;
    }
    process.stderr.write(`${options.command}: ${message}\n`);
    process.exit(2);
  }
}

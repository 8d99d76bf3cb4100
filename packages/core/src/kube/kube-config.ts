import { existsSync, readFileSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface LoadKubeConfigOptions {
  /** An explicit kubeconfig (a `--kubeconfig` flag). When given, nothing else is tried. */
  path?: string;
  /** Overrides the kubeconfig's current-context. */
  context?: string;
  /** Defaults to `process.env`; read for KUBECONFIG and KUBERNETES_SERVICE_HOST/PORT. */
  env?: Record<string, string | undefined>;
  /** Defaults to `os.homedir()`. */
  homeDir?: string;
  /** Defaults to {@link SERVICE_ACCOUNT_DIR}. */
  serviceAccountDir?: string;
}

export class KubeConfigNotFoundError extends Error {
  readonly code = 'LOOM_KUBECONFIG_NOT_FOUND';
  readonly tried: readonly string[];

  constructor(tried: string[]) {
    super(`cannot find a Kubernetes client configuration: tried ${tried.join('; ')}`);
    this.name = 'KubeConfigNotFoundError';
    this.tried = tried;
  }
}

/**
 * Loads client configuration the way controller-runtime does: an explicit path, then
 * `KUBECONFIG` (a list of files, merged), then in-cluster (service account), then
 * `~/.kube/config`. In-cluster comes before the home file because a daemon in a pod
 * should not pick up a stray kubeconfig baked into its image.
 */
export function loadKubeConfig(options: LoadKubeConfigOptions = {}): KubeConfig {
  const env = options.env ?? process.env;
  const kc = loadFirstSource(options, env);
  if (options.context) kc.setCurrentContext(options.context);
  return kc;
}

function loadFirstSource(
  options: LoadKubeConfigOptions,
  env: Record<string, string | undefined>,
): KubeConfig {
  if (options.path) {
    if (!existsSync(options.path)) {
      throw new KubeConfigNotFoundError([`kubeconfig ${options.path} (no such file)`]);
    }
    return fromFiles([options.path]);
  }
  const tried: string[] = [];
  const listed = (env.KUBECONFIG ?? '').split(delimiter).filter((file) => file.length > 0);
  const present = listed.filter((file) => existsSync(file));
  if (present.length > 0) return fromFiles(present);
  tried.push(
    listed.length > 0 ? `KUBECONFIG=${env.KUBECONFIG} (no such file)` : 'KUBECONFIG (unset)',
  );

  const inCluster = inClusterConfig(options.serviceAccountDir ?? SERVICE_ACCOUNT_DIR, env);
  if (inCluster instanceof KubeConfig) return inCluster;
  tried.push(inCluster);

  const home = join(options.homeDir ?? homedir(), '.kube', 'config');
  if (existsSync(home)) return fromFiles([home]);
  tried.push(`${home} (no such file)`);
  throw new KubeConfigNotFoundError(tried);
}

function fromFiles(files: string[]): KubeConfig {
  const kc = new KubeConfig();
  files.forEach((file, index) => {
    const next = index === 0 ? kc : new KubeConfig();
    try {
      next.loadFromFile(file);
    } catch (err) {
      throw new Error(`cannot load kubeconfig ${file}: ${(err as Error).message}`, { cause: err });
    }
    // Like kubectl, the first file that sets current-context wins.
    if (next !== kc) kc.mergeConfig(next, true);
  });
  return kc;
}

/** Returns the in-cluster config, or a sentence saying why there is none. */
function inClusterConfig(
  dir: string,
  env: Record<string, string | undefined>,
): KubeConfig | string {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (!host || !port) return 'in-cluster (KUBERNETES_SERVICE_HOST/PORT unset)';
  const tokenFile = join(dir, 'token');
  if (!existsSync(tokenFile)) return `in-cluster (${tokenFile}: no such file)`;
  const namespaceFile = join(dir, 'namespace');
  const namespace = existsSync(namespaceFile)
    ? readFileSync(namespaceFile, 'utf8').trim()
    : undefined;
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [
      {
        name: 'in-cluster',
        server: `https://${isIPv6(host) ? `[${host}]` : host}:${port}`,
        caFile: join(dir, 'ca.crt'),
        skipTLSVerify: false,
      },
    ],
    // client-node's tokenFile provider re-reads the file, so projected tokens that the
    // kubelet rotates keep working.
    users: [{ name: 'in-cluster', authProvider: { name: 'tokenFile', config: { tokenFile } } }],
    contexts: [{ name: 'in-cluster', cluster: 'in-cluster', user: 'in-cluster', namespace }],
    currentContext: 'in-cluster',
  });
  return kc;
}

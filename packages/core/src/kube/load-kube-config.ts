import { existsSync, readFileSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { KubeConfig } from './kube-config.ts';
import { KubeConfigInvalidError, KubeConfigNotFoundError } from './kube-config-errors.ts';
import { parseKubeConfig } from './kube-config-parse.ts';

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
/** The source name of the in-cluster config, whose CA a pod always has mounted. */
const IN_CLUSTER = 'in-cluster';

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

/**
 * Loads client configuration the way controller-runtime does: an explicit path, then
 * `KUBECONFIG` (a list of files, merged), then in-cluster (service account), then
 * `~/.kube/config`. In-cluster comes before the home file because a daemon in a pod
 * should not pick up a stray kubeconfig baked into its image. The selected context is
 * checked (it exists, its cluster and user exist, their files can be read), so a daemon
 * fails at start with a sentence rather than at its first request.
 */
export function loadKubeConfig(options: LoadKubeConfigOptions = {}): KubeConfig {
  const env = options.env ?? process.env;
  const kc = loadFirstSource(options, env);
  if (options.context) kc.setCurrentContext(options.context);
  if (kc.source !== IN_CLUSTER) kc.validate();
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

/** Reads each file (relative paths against its own directory) and merges them, kubectl's way. */
export function fromFiles(files: readonly string[]): KubeConfig {
  const configs = files.map((file) => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      throw new KubeConfigInvalidError(`cannot load kubeconfig ${file}: ${why}`, { cause: err });
    }
    return new KubeConfig(parseKubeConfig(text, file, dirname(file)), file);
  });
  return configs.length === 1 && configs[0] ? configs[0] : KubeConfig.merge(configs);
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
  const name = IN_CLUSTER;
  return new KubeConfig(
    {
      clusters: [
        {
          name,
          server: `https://${isIPv6(host) ? `[${host}]` : host}:${port}`,
          caFile: join(dir, 'ca.crt'),
        },
      ],
      // A token *file*, re-read when it changes: the kubelet rotates projected tokens.
      users: [{ name, tokenFile }],
      contexts: [{ name, cluster: name, user: name, namespace }],
      currentContext: name,
    },
    name,
  );
}

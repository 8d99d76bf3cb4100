import type https from 'node:https';
import { dump } from 'js-yaml';
import { KubeConfigInvalidError } from './kube-config-errors.ts';
import type { KubeCluster, KubeConfigOptions, KubeContext, KubeUser } from './kube-config-model.ts';
import { createCredentialApplier, readFile } from './kube-credentials.ts';

/**
 * A loaded kubeconfig: its clusters, users and contexts, the selected context, and what a
 * request needs from them ({@link KubeConfig.applyToHTTPSOptions}). Loom's own, so a daemon
 * does not load `@kubernetes/client-node` (90 MB of RSS) to read one YAML file. The method
 * names are client-node's, so either can be handed to `createKubeClient`.
 */
export class KubeConfig {
  readonly clusters: readonly KubeCluster[];
  readonly users: readonly KubeUser[];
  readonly contexts: readonly KubeContext[];
  /** Where it came from, for error messages: file paths, `in-cluster`, … */
  readonly source: string;
  #currentContext: string;
  #applier:
    | { context: string; apply: (options: https.RequestOptions) => Promise<void> }
    | undefined;

  constructor(options: KubeConfigOptions, source = 'in memory') {
    this.clusters = options.clusters;
    this.users = options.users;
    this.contexts = options.contexts;
    this.#currentContext = options.currentContext ?? '';
    this.source = source;
  }

  /**
   * Merges kubeconfigs the way kubectl merges the files of KUBECONFIG: for each cluster, user
   * and context name the first file that defines it wins, and so does the first current-context.
   */
  static merge(configs: readonly KubeConfig[]): KubeConfig {
    const firstByName = <T extends { name: string }>(lists: (readonly T[])[]) => {
      const byName = new Map<string, T>();
      for (const entry of lists.flat()) if (!byName.has(entry.name)) byName.set(entry.name, entry);
      return [...byName.values()];
    };
    return new KubeConfig(
      {
        clusters: firstByName(configs.map((c) => c.clusters)),
        users: firstByName(configs.map((c) => c.users)),
        contexts: firstByName(configs.map((c) => c.contexts)),
        currentContext: configs.map((c) => c.getCurrentContext()).find((name) => name) ?? '',
      },
      configs.map((c) => c.source).join(', '),
    );
  }

  getCurrentContext(): string {
    return this.#currentContext;
  }

  setCurrentContext(name: string): void {
    this.#currentContext = name;
  }

  getContexts(): readonly KubeContext[] {
    return this.contexts;
  }

  getContextObject(name: string): KubeContext | null {
    return this.contexts.find((context) => context.name === name) ?? null;
  }

  getCluster(name: string): KubeCluster | null {
    return this.clusters.find((cluster) => cluster.name === name) ?? null;
  }

  getUser(name: string): KubeUser | null {
    return this.users.find((user) => user.name === name) ?? null;
  }

  getCurrentCluster(): KubeCluster | null {
    const context = this.getContextObject(this.#currentContext);
    return context ? this.getCluster(context.cluster) : null;
  }

  getCurrentUser(): KubeUser | null {
    const context = this.getContextObject(this.#currentContext);
    return context?.user ? this.getUser(context.user) : null;
  }

  /** The namespace of the current context, if it sets one. */
  getCurrentNamespace(): string | undefined {
    return this.getContextObject(this.#currentContext)?.namespace;
  }

  /**
   * Checks that the current context can make requests: it exists, its cluster and user exist,
   * and the files they name can be read. Throws {@link KubeConfigInvalidError}.
   */
  validate(): void {
    const where = `kubeconfig ${this.source}`;
    // No context at all is createKubeClient's to report ("… has no cluster"), as before.
    if (!this.#currentContext) return;
    const context = this.getContextObject(this.#currentContext);
    if (!context) {
      const known = this.contexts.map((c) => c.name).join(', ') || 'none';
      throw new KubeConfigInvalidError(
        `${where}: context "${this.#currentContext}" does not exist (contexts: ${known})`,
      );
    }
    const cluster = this.getCluster(context.cluster);
    if (!cluster) {
      throw new KubeConfigInvalidError(
        `${where}: context "${context.name}" names cluster "${context.cluster}", which does not exist`,
      );
    }
    if (!/^https?:\/\//.test(cluster.server)) {
      throw new KubeConfigInvalidError(
        `${where}: cluster "${cluster.name}" server "${cluster.server}" is not an http(s) URL`,
      );
    }
    const user = context.user ? this.getUser(context.user) : null;
    if (context.user && !user) {
      throw new KubeConfigInvalidError(
        `${where}: context "${context.name}" names user "${context.user}", which does not exist`,
      );
    }
    if (cluster.caFile) readFile(cluster.caFile, 'certificate-authority');
    if (user?.certFile) readFile(user.certFile, 'client-certificate');
    if (user?.keyFile) readFile(user.keyFile, 'client-key');
    if (user?.tokenFile) readFile(user.tokenFile, 'tokenFile');
  }

  /**
   * Sets TLS material and credentials for one request: `ca`, `cert`, `key`,
   * `rejectUnauthorized`, `servername`, the `Authorization` header or basic `auth`. Called per
   * request, because token files rotate and exec credentials expire.
   */
  async applyToHTTPSOptions(options: https.RequestOptions): Promise<void> {
    const name = this.#currentContext;
    if (this.#applier?.context !== name) {
      const cluster = this.getCurrentCluster();
      if (!cluster) {
        throw new KubeConfigInvalidError(
          `kubeconfig ${this.source}: context "${name}" has no cluster`,
        );
      }
      this.#applier = {
        context: name,
        apply: createCredentialApplier(cluster, this.getCurrentUser() ?? undefined),
      };
    }
    await this.#applier.apply(options);
  }

  /** kubectl's YAML for this config (paths absolute), e.g. to hand to a child process. */
  exportConfig(): string {
    return dump(
      {
        apiVersion: 'v1',
        kind: 'Config',
        clusters: this.clusters.map((c) => ({ name: c.name, cluster: clusterFields(c) })),
        users: this.users.map((u) => ({ name: u.name, user: userFields(u) })),
        contexts: this.contexts.map((c) => ({
          name: c.name,
          context: defined({ cluster: c.cluster, user: c.user, namespace: c.namespace }),
        })),
        'current-context': this.#currentContext,
      },
      { lineWidth: -1 },
    );
  }
}

function clusterFields(c: KubeCluster) {
  return defined({
    server: c.server,
    'certificate-authority-data': c.caData,
    'certificate-authority': c.caFile,
    'insecure-skip-tls-verify': c.skipTLSVerify,
    'tls-server-name': c.tlsServerName,
  });
}

function userFields(u: KubeUser) {
  return defined({
    token: u.token,
    tokenFile: u.tokenFile,
    'client-certificate-data': u.certData,
    'client-certificate': u.certFile,
    'client-key-data': u.keyData,
    'client-key': u.keyFile,
    username: u.username,
    password: u.password,
    exec: u.exec && defined({ ...u.exec, args: [...u.exec.args], env: [...u.exec.env] }),
  });
}

function defined<T extends object>(fields: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(fields).filter(([, value]) => value !== undefined),
  ) as Partial<T>;
}

import { isAbsolute, resolve } from 'node:path';
import { load } from 'js-yaml';
import { KubeConfigInvalidError } from './kube-config-errors.ts';
import type {
  KubeCluster,
  KubeConfigOptions,
  KubeContext,
  KubeExecConfig,
  KubeUser,
} from './kube-config-model.ts';

type Fields = Record<string, unknown>;

/**
 * Reads kubectl's kubeconfig format (`apiVersion: v1, kind: Config`). Relative paths are
 * resolved against `baseDir`, as kubectl resolves them against the file's directory.
 * Throws {@link KubeConfigInvalidError} naming `source` and the offending field.
 */
export function parseKubeConfig(text: string, source: string, baseDir: string): KubeConfigOptions {
  let doc: unknown;
  try {
    doc = load(text);
  } catch (err) {
    throw invalid(source, `is not YAML: ${(err as Error).message.split('\n')[0]}`, err);
  }
  if (doc === undefined || doc === null) return { clusters: [], users: [], contexts: [] };
  const root = asObject(doc, source, 'the document');
  const reader = new FieldReader(source, baseDir);
  return {
    clusters: reader.entries(root, 'clusters', 'cluster', (f, at, name) =>
      reader.cluster(f, at, name),
    ),
    users: reader.entries(root, 'users', 'user', (f, at, name) => reader.user(f, at, name)),
    contexts: reader.entries(root, 'contexts', 'context', (f, at, name) =>
      reader.context(f, at, name),
    ),
    currentContext: reader.string(root, 'current-context', 'current-context') || undefined,
  };
}

class FieldReader {
  private readonly source: string;
  private readonly baseDir: string;

  constructor(source: string, baseDir: string) {
    this.source = source;
    this.baseDir = baseDir;
  }

  entries<T>(
    root: Fields,
    list: string,
    inner: string,
    read: (fields: Fields, at: string, name: string) => T,
  ): T[] {
    const value = root[list];
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) throw invalid(this.source, `${list} must be a list`);
    return value.map((entry, index) => {
      const at = `${list}[${index}]`;
      const fields = asObject(entry, this.source, at);
      const name = this.string(fields, 'name', `${at}.name`);
      if (!name) throw invalid(this.source, `${at} has no name`);
      return read(asObject(fields[inner] ?? {}, this.source, `${at}.${inner}`), at, name);
    });
  }

  cluster(f: Fields, at: string, name: string): KubeCluster {
    const server = this.string(f, 'server', `${at}.cluster.server`);
    if (!server) throw invalid(this.source, `cluster "${name}" has no server`);
    if (f['proxy-url'] !== undefined) {
      throw invalid(this.source, `cluster "${name}": proxy-url is not supported by Loom`);
    }
    return {
      name,
      server,
      caData: this.base64(f, 'certificate-authority-data', `cluster "${name}"`),
      caFile: this.path(f, 'certificate-authority', `${at}.cluster`),
      skipTLSVerify: this.boolean(f, 'insecure-skip-tls-verify', `${at}.cluster`),
      tlsServerName: this.string(f, 'tls-server-name', `${at}.cluster.tls-server-name`),
    };
  }

  user(f: Fields, at: string, name: string): KubeUser {
    if (f['auth-provider'] !== undefined) {
      throw invalid(
        this.source,
        `user "${name}": auth-provider is not supported by Loom (use an exec credential plugin)`,
      );
    }
    const what = `user "${name}"`;
    return {
      name,
      token: this.string(f, 'token', `${at}.user.token`),
      tokenFile: this.path(f, 'tokenFile', `${at}.user`),
      certData: this.base64(f, 'client-certificate-data', what),
      certFile: this.path(f, 'client-certificate', `${at}.user`),
      keyData: this.base64(f, 'client-key-data', what),
      keyFile: this.path(f, 'client-key', `${at}.user`),
      username: this.string(f, 'username', `${at}.user.username`),
      password: this.string(f, 'password', `${at}.user.password`),
      exec: f.exec === undefined || f.exec === null ? undefined : this.exec(f.exec, what),
    };
  }

  context(f: Fields, at: string, name: string): KubeContext {
    const cluster = this.string(f, 'cluster', `${at}.context.cluster`);
    if (!cluster) throw invalid(this.source, `context "${name}" has no cluster`);
    return {
      name,
      cluster,
      user: this.string(f, 'user', `${at}.context.user`) || undefined,
      namespace: this.string(f, 'namespace', `${at}.context.namespace`) || undefined,
    };
  }

  private exec(value: unknown, what: string): KubeExecConfig {
    const f = asObject(value, this.source, `${what} exec`);
    const command = this.string(f, 'command', `${what} exec.command`);
    if (!command) throw invalid(this.source, `${what}: exec has no command`);
    const apiVersion = this.string(f, 'apiVersion', `${what} exec.apiVersion`);
    if (!apiVersion) throw invalid(this.source, `${what}: exec has no apiVersion`);
    const args = f.args ?? [];
    if (!Array.isArray(args) || args.some((arg) => typeof arg !== 'string')) {
      throw invalid(this.source, `${what}: exec.args must be a list of strings`);
    }
    const env = (Array.isArray(f.env) ? f.env : f.env == null ? [] : undefined)?.map((e) => {
      const entry = asObject(e, this.source, `${what} exec.env`);
      return {
        name: this.string(entry, 'name', `${what} exec.env.name`) ?? '',
        value: this.string(entry, 'value', `${what} exec.env.value`) ?? '',
      };
    });
    if (!env) throw invalid(this.source, `${what}: exec.env must be a list of {name, value}`);
    // A command with a separator is relative to the kubeconfig; a bare name is looked up on PATH.
    const resolved = command.includes('/') ? resolve(this.baseDir, command) : command;
    return {
      command: resolved,
      args: args as string[],
      env,
      apiVersion,
      provideClusterInfo: this.boolean(f, 'provideClusterInfo', `${what} exec`) ?? false,
      installHint: this.string(f, 'installHint', `${what} exec.installHint`),
    };
  }

  string(f: Fields, key: string, at: string): string | undefined {
    const value = f[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') throw invalid(this.source, `${at} must be a string`);
    return value;
  }

  private boolean(f: Fields, key: string, at: string): boolean | undefined {
    const value = f[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'boolean')
      throw invalid(this.source, `${at}.${key} must be true or false`);
    return value;
  }

  private path(f: Fields, key: string, at: string): string | undefined {
    const value = this.string(f, key, `${at}.${key}`);
    if (!value) return undefined;
    return isAbsolute(value) ? value : resolve(this.baseDir, value);
  }

  private base64(f: Fields, key: string, what: string): string | undefined {
    const value = this.string(f, key, `${what} ${key}`);
    if (!value) return undefined;
    const compact = value.replace(/\s+/g, '');
    // Buffer.from(…, 'base64') silently skips bad characters; a typo must not become a bad PEM.
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 === 1) {
      throw invalid(this.source, `${what}: ${key} is not valid base64`);
    }
    return compact;
  }
}

function asObject(value: unknown, source: string, at: string): Fields {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid(source, `${at} must be a mapping`);
  }
  return value as Fields;
}

function invalid(source: string, why: string, cause?: unknown): KubeConfigInvalidError {
  return new KubeConfigInvalidError(`cannot load kubeconfig ${source}: ${why}`, { cause });
}

import { readFileSync, statSync } from 'node:fs';
import type https from 'node:https';
import { createExecCredentialSource } from './exec-credential.ts';
import { KubeConfigInvalidError } from './kube-config-errors.ts';
import type { KubeCluster, KubeUser } from './kube-config-model.ts';

/**
 * Turns a cluster + user into request options, per request: token files are re-read when they
 * change and exec plugins re-run when their credential expires. Files named by the kubeconfig
 * (CA, client certificate and key) are read on each call, so rotated certificates are picked
 * up too; they are a few KB.
 */
export function createCredentialApplier(
  cluster: KubeCluster,
  user: KubeUser | undefined,
): (options: https.RequestOptions) => Promise<void> {
  const tokenFile = user?.tokenFile ? createTokenFileReader(user.tokenFile) : undefined;
  const exec = user?.exec ? createExecCredentialSource(user.exec, cluster) : undefined;
  return async (options) => {
    const ca = material(cluster.caData, cluster.caFile, 'certificate-authority');
    if (ca) options.ca = ca;
    if (cluster.skipTLSVerify) options.rejectUnauthorized = false;
    if (cluster.tlsServerName) options.servername = cluster.tlsServerName;
    const headers: Record<string, string> = { ...(options.headers as Record<string, string>) };
    const cert = material(user?.certData, user?.certFile, 'client-certificate');
    const key = material(user?.keyData, user?.keyFile, 'client-key');
    if (cert) options.cert = cert;
    if (key) options.key = key;
    let token = user?.token || tokenFile?.();
    if (exec) {
      const credential = await exec();
      token = credential.token ?? token;
      if (credential.cert && credential.key) {
        options.cert = Buffer.from(credential.cert);
        options.key = Buffer.from(credential.key);
      }
    }
    if (token) headers.Authorization = `Bearer ${token}`;
    else if (user?.username !== undefined && user.password !== undefined) {
      options.auth = `${user.username}:${user.password}`;
    }
    options.headers = headers;
  };
}

/** Reads a token file again only when its mtime or size changed (the kubelet swaps it). */
function createTokenFileReader(path: string): () => string {
  let seen = '';
  let token = '';
  return () => {
    const stat = statFile(path, 'tokenFile');
    const version = `${stat.mtimeMs}:${stat.size}`;
    if (version !== seen) {
      token = readFile(path, 'tokenFile').toString('utf8').trim();
      seen = version;
    }
    return token;
  };
}

function material(data: string | undefined, file: string | undefined, what: string) {
  if (data) return Buffer.from(data, 'base64');
  if (file) return readFile(file, what);
  return undefined;
}

/** Reads a file the kubeconfig names; an unreadable one is the kubeconfig's error, named. */
export function readFile(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new KubeConfigInvalidError(
      `cannot read ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      { cause: err },
    );
  }
}

function statFile(path: string, what: string) {
  try {
    return statSync(path);
  } catch (err) {
    throw new KubeConfigInvalidError(
      `cannot read ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      { cause: err },
    );
  }
}

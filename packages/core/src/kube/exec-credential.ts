import { execFile } from 'node:child_process';
import { KubeCredentialError } from './kube-config-errors.ts';
import type { KubeCluster, KubeExecConfig } from './kube-config-model.ts';

/** What an exec plugin returned (`ExecCredential.status`), decoded. */
export interface ExecCredentialResult {
  readonly token?: string | undefined;
  readonly cert?: string | undefined;
  readonly key?: string | undefined;
  /** When to run the plugin again; undefined: never (client-go keeps it for the process). */
  readonly expiresAt?: number | undefined;
}

/** A plugin that hangs (waiting for a browser login, say) must not hang the daemon forever. */
const EXEC_TIMEOUT_MS = 60_000;
/** Run again this long before expiry, so a request never leaves with a token about to lapse. */
const EXPIRY_MARGIN_MS = 10_000;

/**
 * Runs a `client.authentication.k8s.io` exec plugin when needed: once, then again only after
 * the credential's `expirationTimestamp`. Concurrent callers share one run.
 */
export function createExecCredentialSource(
  exec: KubeExecConfig,
  cluster: KubeCluster | undefined,
  now: () => number = Date.now,
): () => Promise<ExecCredentialResult> {
  let cached: ExecCredentialResult | undefined;
  let running: Promise<ExecCredentialResult> | undefined;
  return async () => {
    const fresh =
      cached && (cached.expiresAt === undefined || cached.expiresAt - EXPIRY_MARGIN_MS > now());
    if (fresh && cached) return cached;
    running ??= runExecPlugin(exec, cluster)
      .then((result) => {
        cached = result;
        return result;
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };
}

export async function runExecPlugin(
  exec: KubeExecConfig,
  cluster: KubeCluster | undefined,
): Promise<ExecCredentialResult> {
  const request = {
    apiVersion: exec.apiVersion,
    kind: 'ExecCredential',
    spec: {
      interactive: false,
      ...(exec.provideClusterInfo ? { cluster: clusterInfo(cluster) } : {}),
    },
  };
  const env: NodeJS.ProcessEnv = { ...process.env, KUBERNETES_EXEC_INFO: JSON.stringify(request) };
  for (const { name, value } of exec.env) env[name] = value;
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(
      exec.command,
      [...exec.args],
      { env, timeout: EXEC_TIMEOUT_MS, maxBuffer: 1024 * 1024 },
      (error, out, err) => {
        if (!error) return resolve(out);
        const hint = (error as NodeJS.ErrnoException).code === 'ENOENT' ? exec.installHint : '';
        const detail = `${err.trim() || error.message}${hint ? ` (${hint.trim()})` : ''}`;
        reject(
          new KubeCredentialError(`exec plugin ${exec.command} failed: ${detail}`, {
            cause: error,
          }),
        );
      },
    );
  });
  return parseExecCredential(stdout, exec);
}

function parseExecCredential(stdout: string, exec: KubeExecConfig): ExecCredentialResult {
  const bad = (why: string, cause?: unknown) =>
    new KubeCredentialError(`exec plugin ${exec.command} returned ${why}`, { cause });
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch (err) {
    throw bad('output that is not JSON', err);
  }
  const credential = parsed as {
    apiVersion?: unknown;
    kind?: unknown;
    status?: Record<string, unknown>;
  };
  if (credential?.kind !== 'ExecCredential') throw bad('something other than an ExecCredential');
  if (credential.apiVersion !== exec.apiVersion) {
    throw bad(`apiVersion ${String(credential.apiVersion)}, want ${exec.apiVersion}`);
  }
  const status = credential.status ?? {};
  const text = (key: string) =>
    typeof status[key] === 'string' ? (status[key] as string) : undefined;
  const token = text('token');
  const cert = text('clientCertificateData');
  const key = text('clientKeyData');
  if (!token && !(cert && key)) {
    throw bad('neither a token nor a client certificate and key');
  }
  const expiry = text('expirationTimestamp');
  const expiresAt = expiry === undefined ? undefined : Date.parse(expiry);
  if (expiresAt !== undefined && Number.isNaN(expiresAt)) {
    throw bad(`an unreadable expirationTimestamp "${expiry}"`);
  }
  return { token, cert, key, expiresAt };
}

function clusterInfo(cluster: KubeCluster | undefined) {
  if (!cluster) return undefined;
  return {
    server: cluster.server,
    'certificate-authority-data': cluster.caData,
    'insecure-skip-tls-verify': cluster.skipTLSVerify,
    'tls-server-name': cluster.tlsServerName,
  };
}

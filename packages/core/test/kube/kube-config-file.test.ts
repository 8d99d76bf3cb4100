import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createKubeClient,
  type KubeCluster,
  KubeConfigInvalidError,
  type KubeUser,
  loadKubeConfig,
} from '../../src/kube/index.ts';

// Fixtures are written to a temporary directory `dir` with a `certs/` subdirectory, so that
// relative paths can be checked against the kubeconfig's own directory.
const CA_PEM = '-----BEGIN CERTIFICATE-----\nfixture-ca\n-----END CERTIFICATE-----\n';
const b64 = (text: string) => Buffer.from(text).toString('base64');

function kubeconfig(
  parts: { cluster?: string; user?: string; context?: string; current?: string } = {},
) {
  return `apiVersion: v1
kind: Config
clusters:
- name: lab
  cluster:
${parts.cluster ?? '    server: https://192.0.2.10:6443'}
users:
- name: admin
  user:
${parts.user ?? '    token: t0'}
contexts:
- name: lab
  context:
${parts.context ?? '    cluster: lab\n    user: admin'}
current-context: ${parts.current ?? 'lab'}
`;
}

interface GoodCase {
  name: string;
  yaml: string;
  cluster?: Partial<KubeCluster>;
  /** null: the context has no user. */
  user?: Partial<KubeUser> | null;
  namespace?: string;
}

const good: GoodCase[] = [
  { name: 'a token user', yaml: kubeconfig(), user: { token: 't0' } },
  {
    name: 'relative certificate paths, against the kubeconfig directory',
    yaml: kubeconfig({
      cluster: '    server: https://192.0.2.10:6443\n    certificate-authority: certs/ca.crt',
      user: '    client-certificate: certs/client.crt\n    client-key: ./certs/client.key',
    }),
    cluster: { caFile: '<dir>/certs/ca.crt' },
    user: { certFile: '<dir>/certs/client.crt', keyFile: '<dir>/certs/client.key' },
  },
  {
    name: 'inline base64 data, folded over lines',
    yaml: kubeconfig({
      cluster: `    server: https://192.0.2.10:6443\n    certificate-authority-data: ${b64(CA_PEM)}`,
      user: `    client-certificate-data: ${b64('cert')}\n    client-key-data: ${b64('key')}`,
    }),
    cluster: { caData: b64(CA_PEM) },
    user: { certData: b64('cert'), keyData: b64('key') },
  },
  {
    name: 'insecure-skip-tls-verify, tls-server-name and a namespace',
    yaml: kubeconfig({
      cluster:
        '    server: https://192.0.2.10:6443\n    insecure-skip-tls-verify: true\n    tls-server-name: kubernetes',
      context: '    cluster: lab\n    user: admin\n    namespace: loom-system',
    }),
    cluster: { skipTLSVerify: true, tlsServerName: 'kubernetes' },
    namespace: 'loom-system',
  },
  {
    name: 'a tokenFile, relative',
    yaml: kubeconfig({ user: '    tokenFile: certs/token' }),
    user: { tokenFile: '<dir>/certs/token' },
  },
  {
    name: 'an exec plugin with a relative command',
    yaml: kubeconfig({
      user: `    exec:
      apiVersion: client.authentication.k8s.io/v1
      command: ./bin/get-token
      args: [--cluster, lab]
      env: [{ name: REGION, value: eu }]
      provideClusterInfo: true`,
    }),
    user: {
      exec: {
        command: '<dir>/bin/get-token',
        args: ['--cluster', 'lab'],
        env: [{ name: 'REGION', value: 'eu' }],
        apiVersion: 'client.authentication.k8s.io/v1',
        provideClusterInfo: true,
        installHint: undefined,
      },
    },
  },
  {
    name: 'a context without a user (anonymous)',
    yaml: kubeconfig({ context: '    cluster: lab' }),
    user: null,
  },
];

const bad: { name: string; yaml: string; error: RegExp }[] = [
  {
    name: 'a current-context that does not exist',
    yaml: kubeconfig({ current: 'prod' }),
    error: /kubeconfig .*: context "prod" does not exist \(contexts: lab\)/,
  },
  {
    name: 'a context naming a missing cluster',
    yaml: kubeconfig({ context: '    cluster: elsewhere\n    user: admin' }),
    error: /context "lab" names cluster "elsewhere", which does not exist/,
  },
  {
    name: 'a context naming a missing user',
    yaml: kubeconfig({ context: '    cluster: lab\n    user: nobody' }),
    error: /context "lab" names user "nobody", which does not exist/,
  },
  {
    name: 'bad base64',
    yaml: kubeconfig({
      cluster: '    server: https://192.0.2.10:6443\n    certificate-authority-data: not*base64!',
    }),
    error:
      /cannot load kubeconfig .*: cluster "lab": certificate-authority-data is not valid base64/,
  },
  {
    name: 'an unreadable certificate file',
    yaml: kubeconfig({ user: '    client-certificate: certs/missing.crt\n    client-key: k' }),
    error: /cannot read client-certificate .*certs\/missing\.crt: ENOENT/,
  },
  {
    name: 'a cluster without a server',
    yaml: kubeconfig({ cluster: '    insecure-skip-tls-verify: true' }),
    error: /cluster "lab" has no server/,
  },
  {
    name: 'a server that is not a URL',
    yaml: kubeconfig({ cluster: '    server: 192.0.2.10:6443' }),
    error: /server "192.0.2.10:6443" is not an http\(s\) URL/,
  },
  {
    name: 'a proxy-url',
    yaml: kubeconfig({
      cluster: '    server: https://192.0.2.10:6443\n    proxy-url: http://proxy.example.org',
    }),
    error: /cluster "lab": proxy-url is not supported by Loom/,
  },
  {
    name: 'an auth-provider',
    yaml: kubeconfig({ user: '    auth-provider: { name: oidc }' }),
    error: /user "admin": auth-provider is not supported by Loom \(use an exec credential plugin\)/,
  },
  {
    name: 'an exec plugin without apiVersion',
    yaml: kubeconfig({ user: '    exec: { command: get-token }' }),
    error: /user "admin": exec has no apiVersion/,
  },
  {
    name: 'a field of the wrong type',
    yaml: kubeconfig({ user: '    token: [a, b]' }),
    error: /users\[0\]\.user\.token must be a string/,
  },
  {
    name: 'YAML that does not parse',
    yaml: 'clusters: [ {',
    error: /cannot load kubeconfig .*: is not YAML/,
  },
];

describe('kubeconfig files', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'loom-kubeconfig-file-'));
    mkdirSync(join(dir, 'certs'));
    for (const file of ['ca.crt', 'client.crt', 'client.key', 'token']) {
      writeFileSync(join(dir, 'certs', file), file === 'ca.crt' ? CA_PEM : file);
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const write = (yaml: string) => {
    const path = join(dir, `config-${Math.random().toString(16).slice(2)}`);
    writeFileSync(path, yaml);
    return path;
  };
  const withDir = <T>(value: T): T => JSON.parse(JSON.stringify(value).replaceAll('<dir>', dir));

  it.each(good)('reads $name', ({ yaml, cluster, user, namespace }) => {
    const kc = loadKubeConfig({ path: write(yaml) });
    expect(kc.getCurrentCluster()).toMatchObject(withDir(cluster ?? {}));
    if (user === null) expect(kc.getCurrentUser()).toBeNull();
    else expect(kc.getCurrentUser()).toMatchObject(withDir(user ?? {}));
    expect(kc.getCurrentNamespace()).toBe(namespace);
  });

  it.each(bad)('rejects $name with a clear error', ({ yaml, error }) => {
    const path = write(yaml);
    let thrown: unknown;
    try {
      loadKubeConfig({ path });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(KubeConfigInvalidError);
    expect((thrown as Error).message).toMatch(error);
  });

  it('leaves a kubeconfig without current-context to the client, which says it has no cluster', () => {
    const kc = loadKubeConfig({ path: write(kubeconfig({ current: '""' })) });
    expect(() => createKubeClient(kc)).toThrow(
      'cannot create a Kubernetes client: the kubeconfig sets no current-context and has no cluster',
    );
  });

  it('names a kubeconfig it cannot read', () => {
    const path = write(kubeconfig());
    chmodSync(path, 0);
    // root reads any file; a directory in its place fails for everyone.
    const unreadable = process.getuid?.() === 0 ? dir : path;
    expect(() => loadKubeConfig({ path: unreadable })).toThrow(
      /cannot load kubeconfig .*: (EACCES|EISDIR)/,
    );
  });

  it('applies CA, client certificate, SNI and token to a request', async () => {
    const kc = loadKubeConfig({
      path: write(
        kubeconfig({
          cluster:
            '    server: https://192.0.2.10:6443\n    certificate-authority: certs/ca.crt\n    tls-server-name: kubernetes',
          user: `    token: t0\n    client-certificate-data: ${b64('cert')}\n    client-key: certs/client.key`,
        }),
      ),
    });
    const options: https.RequestOptions = {};
    await kc.applyToHTTPSOptions(options);
    expect(options.ca?.toString()).toBe(CA_PEM);
    expect(options.cert?.toString()).toBe('cert');
    expect(options.key?.toString()).toBe('client.key');
    expect(options.servername).toBe('kubernetes');
    expect(options.headers).toEqual({ Authorization: 'Bearer t0' });
  });

  it('writes a kubeconfig that reads back the same', () => {
    const kc = loadKubeConfig({
      path: write(
        kubeconfig({
          cluster: `    server: https://192.0.2.10:6443\n    certificate-authority-data: ${b64(CA_PEM)}`,
          context: '    cluster: lab\n    user: admin\n    namespace: ns1',
        }),
      ),
    });
    const again = loadKubeConfig({ path: write(kc.exportConfig()) });
    expect(again.getCurrentCluster()).toEqual(kc.getCurrentCluster());
    expect(again.getCurrentUser()).toEqual(kc.getCurrentUser());
    expect(again.getCurrentNamespace()).toBe('ns1');
  });
});

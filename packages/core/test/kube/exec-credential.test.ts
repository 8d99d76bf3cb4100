import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExecCredentialSource } from '../../src/kube/exec-credential.ts';
import {
  createKubeClient,
  KubeConfig,
  KubeConnectionError,
  type KubeExecConfig,
  loadKubeConfig,
} from '../../src/kube/index.ts';
import { createFakeApiServer } from '../../src/testing/index.ts';

const API_VERSION = 'client.authentication.k8s.io/v1';
const fake = await createFakeApiServer({ tokens: ['exec-token', 'rotated-token'] });
afterAll(() => fake.close());

describe('exec credential plugins', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'loom-exec-credential-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** A plugin as a shell script; every run appends a line to `<name>.runs`. */
  const plugin = (name: string, body: string): KubeExecConfig => {
    const command = join(dir, name);
    writeFileSync(command, `#!/bin/sh\necho run >> "${command}.runs"\n${body}\n`);
    chmodSync(command, 0o755);
    return { command, args: [], env: [], apiVersion: API_VERSION, provideClusterInfo: false };
  };
  const runs = (exec: KubeExecConfig) =>
    readFileSync(`${exec.command}.runs`, 'utf8').trim().split('\n').length;
  const credential = (status: object) =>
    `cat <<'EOF'\n${JSON.stringify({ apiVersion: API_VERSION, kind: 'ExecCredential', status })}\nEOF`;

  it('authenticates requests with the token the plugin returns', async () => {
    const exec = plugin('good', credential({ token: 'exec-token' }));
    const kc = new KubeConfig({
      clusters: [{ name: 'fake', server: fake.url }],
      users: [{ name: 'exec', exec }],
      contexts: [{ name: 'fake', cluster: 'fake', user: 'exec' }],
      currentContext: 'fake',
    });
    const client = createKubeClient(kc);
    await expect(client.request({ path: '/api/v1/nodes' })).resolves.toMatchObject({
      kind: 'NodeList',
    });
    await client.request({ path: '/api/v1/nodes' });
    expect(runs(exec)).toBe(1);
    client.close();
  });

  it('passes args, env and the ExecCredential request, and the cluster when asked', async () => {
    const exec = {
      ...plugin(
        'echo',
        `printf '%s' "$KUBERNETES_EXEC_INFO" > "$0.info"\necho "$1 $REGION" > "$0.args"\n${credential({ token: 't' })}`,
      ),
      args: ['lab'],
      env: [{ name: 'REGION', value: 'eu' }],
      provideClusterInfo: true,
    };
    const source = createExecCredentialSource(exec, { name: 'lab', server: 'https://192.0.2.10' });
    await source();
    expect(readFileSync(`${exec.command}.args`, 'utf8')).toBe('lab eu\n');
    const info = JSON.parse(readFileSync(`${exec.command}.info`, 'utf8'));
    expect(info).toEqual({
      apiVersion: API_VERSION,
      kind: 'ExecCredential',
      spec: { interactive: false, cluster: { server: 'https://192.0.2.10' } },
    });
  });

  it('runs the plugin again only once the credential expires', async () => {
    const exec = plugin(
      'expiring',
      credential({ token: 'exec-token', expirationTimestamp: '2030-01-01T00:01:00Z' }),
    );
    let now = Date.parse('2030-01-01T00:00:00Z');
    const source = createExecCredentialSource(exec, undefined, () => now);
    await Promise.all([source(), source(), source()]);
    expect(runs(exec)).toBe(1);
    now = Date.parse('2030-01-01T00:00:55Z');
    await source();
    expect(runs(exec)).toBe(2);
  });

  it.each([
    {
      name: 'a plugin that exits non-zero, with its stderr',
      body: 'echo "login required" >&2; exit 3',
      error: /exec plugin .*failing failed: login required/,
    },
    {
      name: 'output that is not JSON',
      body: 'echo "token: abc"',
      error: /exec plugin .* returned output that is not JSON/,
    },
    {
      name: 'another apiVersion',
      body: `echo '{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"x"}}'`,
      error:
        /returned apiVersion client.authentication.k8s.io\/v1beta1, want client.authentication.k8s.io\/v1/,
    },
    {
      name: 'no token and no certificate',
      body: credential({}),
      error: /returned neither a token nor a client certificate and key/,
    },
    {
      name: 'an unreadable expirationTimestamp',
      body: credential({ token: 't', expirationTimestamp: 'tomorrow' }),
      error: /returned an unreadable expirationTimestamp "tomorrow"/,
    },
  ])('fails a request on $name', async ({ body, error }) => {
    const exec = plugin('failing', body);
    const kc = new KubeConfig({
      clusters: [{ name: 'fake', server: fake.url }],
      users: [{ name: 'exec', exec }],
      contexts: [{ name: 'fake', cluster: 'fake', user: 'exec' }],
      currentContext: 'fake',
    });
    const client = createKubeClient(kc);
    const err = await client.request({ path: '/api/v1/nodes' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeConnectionError);
    expect((err as Error).message).toMatch(error);
    client.close();
  });

  it('shows the install hint when the command does not exist', async () => {
    const source = createExecCredentialSource(
      {
        command: join(dir, 'not-installed'),
        args: [],
        env: [],
        apiVersion: API_VERSION,
        provideClusterInfo: false,
        installHint: 'install it with your package manager',
      },
      undefined,
    );
    await expect(source()).rejects.toThrow(/\(install it with your package manager\)/);
  });
});

describe('token files', () => {
  it('re-reads a rotated token file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'loom-token-file-'));
    try {
      const tokenFile = join(dir, 'token');
      writeFileSync(tokenFile, 'exec-token\n');
      const config = join(dir, 'config');
      writeFileSync(
        config,
        `clusters: [{ name: fake, cluster: { server: "${fake.url}" } }]
users: [{ name: sa, user: { tokenFile: token } }]
contexts: [{ name: fake, context: { cluster: fake, user: sa } }]
current-context: fake
`,
      );
      const client = createKubeClient(loadKubeConfig({ path: config }));
      await client.request({ path: '/api/v1/nodes' });
      writeFileSync(tokenFile, 'rotated-token-longer\n');
      await expect(client.request({ path: '/api/v1/nodes' })).rejects.toMatchObject({
        status: 401,
      });
      writeFileSync(tokenFile, 'rotated-token\n');
      await expect(client.request({ path: '/api/v1/nodes' })).resolves.toBeDefined();
      const seen = fake.requests.slice(-3).map((r) => r.token);
      expect(seen).toEqual(['exec-token', 'rotated-token-longer', 'rotated-token']);
      client.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

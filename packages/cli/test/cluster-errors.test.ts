import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/index.ts';

/** A loopback port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('install, status and uninstall when the cluster cannot be used', () => {
  let dir: string;
  let kubeconfig: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'loom-cli-'));
    kubeconfig = join(dir, 'kubeconfig');
    const port = await closedPort();
    writeFileSync(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        `clusters: [{name: c, cluster: {server: "http://127.0.0.1:${port}"}}]`,
        'users: [{name: u, user: {token: t}}]',
        'contexts: [{name: x, context: {cluster: c, user: u}}]',
        'current-context: x',
        '',
      ].join('\n'),
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const run = async (args: string[]) => {
    const err: string[] = [];
    const code = await runCli(args, { out: () => {}, err: (t) => err.push(t), env: {} });
    return { code, err: err.join('\n') };
  };

  it.each([['install'], ['status'], ['uninstall']])(
    '%s: exit 1 naming the API server and why',
    async (verb) => {
      const { code, err } = await run([verb, '--kubeconfig', kubeconfig]);
      expect(code).toBe(1);
      expect(err).toMatch(
        /^loom: cannot reach the API server at http:\/\/127\.0\.0\.1:\d+: connect ECONNREFUSED/,
      );
    },
  );

  it('a kubeconfig that does not exist: exit 1 saying so', async () => {
    const { code, err } = await run(['status', '--kubeconfig', join(dir, 'missing')]);
    expect(code).toBe(1);
    expect(err).toContain('no such file');
  });
});

import { describe, expect, it } from 'vitest';
import { runCli } from '../src/run-cli.ts';

async function run(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (t) => out.push(t), err: (t) => err.push(t), env });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('runCli', () => {
  it('prints the usage', async () => {
    const result = await run(['help']);
    expect(result.code).toBe(0);
    expect(result.out).toContain('loom lab up');
  });

  it('exits 2 on a usage error, naming it', async () => {
    const result = await run(['lab', 'frobnicate']);
    expect(result).toMatchObject({ code: 2, out: '' });
    expect(result.err).toBe(
      'loom: unknown lab command "frobnicate" (one of: build, up, status, down, kubectl, exec)',
    );
  });

  it('exits 1 with the lab error message on bad configuration', async () => {
    const result = await run(['lab', 'status', '--prefix', 'kind-']);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/^loom: invalid lab prefix "kind-": it must start with "loom-"/);
  });

  it('reports a build that cannot find its binaries', async () => {
    const result = await run(['lab', 'build'], { LOOM_K8S_BIN_DIR: '/nonexistent/bin' });
    expect(result.code).toBe(1);
    expect(result.err).toContain('loom: LOOM_K8S_BIN_DIR=/nonexistent/bin lacks kube-apiserver');
  });

  it('refuses kubectl when there is no lab', async () => {
    const result = await run([
      'lab',
      'kubectl',
      '--state-dir',
      '/tmp/loom-no-such-lab',
      'get',
      'ns',
    ]);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(
      /no lab in \/tmp\/loom-no-such-lab \(run: loom lab up\)|must run as root/,
    );
  });
});

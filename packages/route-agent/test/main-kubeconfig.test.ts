import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The real `loom-route-agent` process, in an environment with no other kubeconfig to find. */
function runAgent(args: string[], home: string): Promise<Exit> {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: home, NODE_NAME: 'node1' };
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--conditions=loom-source', MAIN, ...args, '--health-port', '0', '--no-install-cni'],
      { env, timeout: 30_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

// Made in beforeAll, not at load: `vitest list` loads the file without running hooks.
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'loom-route-agent-kubeconfig-'));
  mkdirSync(join(dir, 'home'));
  mkdirSync(join(dir, 'a-directory'));
  writeFileSync(join(dir, 'no-cluster'), 'apiVersion: v1\nkind: Config\n');
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Exit 2 and one line naming the problem, as for a bad flag; never a stack trace. */
function expectOneLineError(exit: Exit, problem: RegExp): void {
  expect(exit.code).toBe(2);
  expect(exit.stdout).toBe('');
  const lines = exit.stderr.split('\n').filter((line) => line !== '');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^loom-route-agent: /);
  expect(lines[0]).toMatch(problem);
}

describe('loom-route-agent without a usable kubeconfig', () => {
  it('exits 2 with one line when --kubeconfig does not exist', async () => {
    const missing = join(dir, 'missing');
    const exit = await runAgent(['--kubeconfig', missing], join(dir, 'home'));
    expectOneLineError(exit, new RegExp(`kubeconfig ${missing} \\(no such file\\)`));
  });

  it('exits 2 with one line when --kubeconfig cannot be read', async () => {
    const unreadable = join(dir, 'a-directory');
    const exit = await runAgent(['--kubeconfig', unreadable], join(dir, 'home'));
    expectOneLineError(exit, new RegExp(`cannot load kubeconfig ${unreadable}: EISDIR`));
  });

  it('exits 2 with one line when --kubeconfig names no cluster', async () => {
    const empty = join(dir, 'no-cluster');
    const exit = await runAgent(['--kubeconfig', empty], join(dir, 'home'));
    expectOneLineError(exit, new RegExp(`has no cluster \\(--kubeconfig ${empty}\\)`));
  });

  it('exits 2 with one line listing what it tried when no kubeconfig is given or found', async () => {
    const exit = await runAgent([], join(dir, 'home'));
    expectOneLineError(exit, /cannot find a Kubernetes client configuration: tried KUBECONFIG/);
  });

  it('exits 2 on a bad flag too, before looking for a kubeconfig', async () => {
    const exit = await runAgent(['--mode', 'sideways'], join(dir, 'home'));
    expect(exit.code).toBe(2);
    expect(exit.stderr).toMatch(/^invalid route agent flags/);
  });
});

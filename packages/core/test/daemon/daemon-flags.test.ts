import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const fixture = fileURLToPath(new URL('./fixtures/flags-fixture.ts', import.meta.url));
const tableFixture = fileURLToPath(new URL('./fixtures/table-fixture.ts', import.meta.url));

function runFixture(path: string, args: readonly string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawnSync(process.execPath, ['--conditions=loom-source', path, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, ...env },
  });
  return { status: child.status, stdout: child.stdout, stderr: child.stderr };
}

const run = (...args: string[]) => runFixture(fixture, args);

describe('parseDaemonFlags', () => {
  it.each([
    {
      name: 'good flags start the daemon',
      args: ['--port', '8080'],
      status: 0,
      stdout: /port 8080/,
    },
    { name: '--help prints the usage and exits 0', args: ['--help'], status: 0, stdout: /^Usage:/ },
  ])('$name', ({ args, status, stdout }) => {
    const result = run(...args);
    expect(result.status).toBe(status);
    expect(result.stdout).toMatch(stdout);
  });

  it('reports a usage error with a hint and exits 2', () => {
    const result = run('--port', 'eighty');
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(
      '--port: "eighty" is not a port number\nRun flags-fixture --help for the flags.\n',
    );
  });

  it('lets an error that is not a usage error crash the process', () => {
    const result = run('--crash');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('TypeError: a bug, not a usage error');
  });
});

describe('parseDaemonFlags with a flag table', () => {
  it.each([
    {
      name: 'defaults and LOOM_* variables make the config',
      args: [],
      env: { LOOM_MODE: 'vxlan' },
      status: 0,
      stdout: '{"mode":"vxlan","health-port":9101}\n',
      stderr: '',
    },
    {
      name: '--help prints the rendered usage and exits 0',
      args: ['--help'],
      env: {},
      status: 0,
      stdout: expect.stringMatching(/^Usage: table-fixture \[flags\]\n[\s\S]*\n {2}--mode VALUE /),
      stderr: '',
    },
    {
      name: 'a bad value exits 2, naming the flag and its variable',
      args: ['--health-port', 'eighty'],
      env: {},
      status: 2,
      stdout: '',
      stderr:
        'invalid table fixture flags (1):\n  --health-port (or LOOM_HEALTH_PORT): "eighty" is not a port (0-65535)\nRun table-fixture --help for the flags.\n',
    },
    {
      name: 'an unknown flag exits 2, naming it',
      args: ['--bogus'],
      env: {},
      status: 2,
      stdout: '',
      stderr: expect.stringMatching(
        /^invalid table fixture flags \(1\):\n {2}Unknown option '--bogus'/,
      ),
    },
  ])('$name', ({ name: _name, args, env, ...want }) => {
    expect(runFixture(tableFixture, args, env)).toEqual(want);
  });
});

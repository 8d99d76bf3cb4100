import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const fixture = fileURLToPath(new URL('./fixtures/flags-fixture.ts', import.meta.url));

function run(...args: string[]) {
  const child = spawnSync(process.execPath, ['--conditions=loom-source', fixture, ...args], {
    encoding: 'utf8',
  });
  return { status: child.status, stdout: child.stdout, stderr: child.stderr };
}

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

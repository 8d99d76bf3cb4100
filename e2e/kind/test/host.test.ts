import { describe, expect, it } from 'vitest';
import { realHost, runCommand, TIMED_OUT_EXIT_CODE } from '../host.ts';

// The machine's own commands, for real: what the kind driver's runner promises its callers.
describe('running a command on the machine', () => {
  it('returns exit code, stdout and stderr, feeding stdin', async () => {
    const result = await runCommand('sh', ['-c', 'cat; echo oops >&2; exit 3'], { stdin: 'hello' });
    expect(result).toEqual({ exitCode: 3, stdout: 'hello', stderr: 'oops\n' });
  });

  it('rejects a command that is not installed, naming it', async () => {
    await expect(runCommand('loom-no-such-tool', [])).rejects.toThrow(
      'cannot run loom-no-such-tool: not found on PATH',
    );
  });

  it('kills a command that outlives its timeout and says so', async () => {
    const started = Date.now();
    const result = await runCommand('sleep', ['10'], { timeoutMs: 200 });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(result.exitCode).toBe(TIMED_OUT_EXIT_CODE);
    expect(result.stderr).toContain('sleep timed out after 200 ms');
  });

  it('finds tools on PATH and nothing else', () => {
    const host = realHost({ PATH: '/usr/bin:/bin' });
    expect(host.onPath('sh')).toBe(true);
    expect(host.onPath('loom-no-such-tool')).toBe(false);
    expect(realHost({ PATH: '' }).onPath('sh')).toBe(false);
  });
});

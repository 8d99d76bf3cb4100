import { describe, expect, it } from 'vitest';
import { type SyncSpawnRequest, spawnWays } from '../../src/kernel/spawn-sync.ts';

// The plugins run their commands through Node's spawn_sync binding; elsewhere it is
// child_process.spawnSync. Both must answer alike, for every way a command can end.
const base: SyncSpawnRequest = {
  file: 'sh',
  args: [],
  env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LOOM_GREETING: 'hello' },
  input: '',
  timeoutMs: 5_000,
  maxBuffer: 1024 * 1024,
};

describe.each(Object.entries(spawnWays))('spawnToCompletion via %s', (_, spawn) => {
  it('feeds stdin and returns stdout, stderr and the exit status', () => {
    const outcome = spawn({
      ...base,
      args: ['-c', 'cat; echo "$LOOM_GREETING" >&2; exit 3'],
      input: 'line one\nline two\n',
    });
    expect(outcome).toEqual({ stdout: 'line one\nline two\n', stderr: 'hello\n', status: 3 });
  });

  it('passes only the given environment', () => {
    const outcome = spawn({ ...base, args: ['-c', 'env'] });
    expect(outcome.stdout.split('\n').filter(Boolean).sort()).toEqual([
      'LOOM_GREETING=hello',
      'PATH=/usr/sbin:/usr/bin:/sbin:/bin',
      `PWD=${process.cwd()}`,
    ]);
  });

  it('reports an executable that does not exist as ENOENT', () => {
    const outcome = spawn({ ...base, file: 'loom-no-such-tool' });
    expect(outcome.status).toBeNull();
    expect(outcome.errorCode).toBe('ENOENT');
    expect(outcome.errorMessage).toContain('loom-no-such-tool');
  });

  it('kills a command that outlives the timeout and says ETIMEDOUT', () => {
    const started = Date.now();
    const outcome = spawn({ ...base, args: ['-c', 'sleep 5'], timeoutMs: 100 });
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(outcome.errorCode).toBe('ETIMEDOUT');
  });

  it('keeps the exit status of a command that exits before reading its input', () => {
    const outcome = spawn({ ...base, args: ['-c', 'exit 7'], input: 'x'.repeat(1 << 20) });
    expect(outcome.status).toBe(7);
    expect(['EPIPE', undefined]).toContain(outcome.errorCode);
  });

  it('stops at maxBuffer with ENOBUFS', () => {
    const outcome = spawn({ ...base, args: ['-c', 'head -c 100000 /dev/zero'], maxBuffer: 1000 });
    expect(outcome.errorCode).toBe('ENOBUFS');
  });
});

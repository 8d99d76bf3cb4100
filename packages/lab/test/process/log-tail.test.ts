import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RUN_MARKER } from '../../src/process/detached-process.ts';
import { logTail, tailOfLatestRun } from '../../src/process/log-tail.ts';

describe('log tails', () => {
  it('shows only the latest run', () => {
    const text = `${RUN_MARKER}t1: etcd\nold line\n${RUN_MARKER}t2: etcd\nfirst\nsecond\n`;
    expect(tailOfLatestRun(text, 10)).toBe('first\nsecond');
  });

  it('keeps the last lines', () => {
    expect(tailOfLatestRun('1\n2\n3\n4\n', 2)).toBe('3\n4');
  });

  it('is empty for a run that printed nothing, or a missing file', () => {
    expect(tailOfLatestRun(`${RUN_MARKER}t: x\n`, 5)).toBe('');
    expect(logTail('/nonexistent/loom.log')).toBe('');
  });

  it('reads only the end of a large log', () => {
    const dir = mkdtempSync(join(tmpdir(), 'loom-log-'));
    const file = join(dir, 'big.log');
    writeFileSync(file, `${'x'.repeat(200_000)}\nlast line\n`);
    expect(logTail(file, 1)).toBe('last line');
    rmSync(dir, { recursive: true, force: true });
  });
});

import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const MAIN = fileURLToPath(new URL('../../src/pod-cidr-allocator/main.ts', import.meta.url));

let home: string;
beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'loom-allocator-kubeconfig-'));
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

function runAllocator(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const env = { PATH: process.env.PATH, HOME: home };
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--conditions=loom-source', MAIN, '--cluster-cidr', '10.244.0.0/16', ...args],
      { env, timeout: 30_000 },
      (error, _stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        resolve({ code, stderr });
      },
    );
  });
}

describe('loom-pod-cidr-allocator without a usable kubeconfig', () => {
  it('exits 2 with one line naming the missing file, not a stack trace', async () => {
    const missing = join(home, 'missing');
    const exit = await runAllocator(['--kubeconfig', missing]);
    expect(exit.code).toBe(2);
    const lines = exit.stderr.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(`^loom-pod-cidr-allocator: .*kubeconfig ${missing} \\(no such file\\)`),
    );
  });
});

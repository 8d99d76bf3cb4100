import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KERNEL_TOOLS } from '@loom-net/core/testing';
import { describe, expect, it } from 'vitest';
import { REQUIRED_TOOLS } from '../src/commands/preflight.ts';

const listFile = fileURLToPath(new URL('../../../.ci/debian-packages.txt', import.meta.url));

function ciPackages(): string[] {
  return readFileSync(listFile, 'utf8')
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim())
    .filter(Boolean);
}

// .ci/run installs the packages of .ci/debian-packages.txt on a fresh machine: every tool the
// lab's preflight or the kernel tier asks for must come from one of them.
describe("CI's Debian packages", () => {
  it.each([
    ['the lab', REQUIRED_TOOLS],
    ['the kernel tier', KERNEL_TOOLS],
    ['the Go toolchain fetch', { unzip: 'unzip' }],
  ])('hold every tool %s needs', (_who, tools) => {
    const packages = ciPackages();
    const missing = Object.entries(tools).filter(([, pkg]) => !packages.includes(pkg));
    expect(missing).toEqual([]);
  });
});

const reportScript = fileURLToPath(new URL('../../../.ci/report.mjs', import.meta.url));

/** Runs .ci/report.mjs on a report made of `files` and an expected-skips list. */
function runReport(files: unknown[], expectedSkips: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'loom-report-test-'));
  try {
    writeFileSync(join(dir, 'report.json'), JSON.stringify({ testResults: files }));
    writeFileSync(join(dir, 'skips.txt'), `# comment\n\n${expectedSkips.join('\n')}\n`);
    const run = spawnSync(process.execPath, [reportScript, 'report.json', 'skips.txt'], {
      cwd: dir,
      encoding: 'utf8',
    });
    return { status: run.status, lines: run.stdout.trimEnd().split('\n') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const test = (fullName: string, status: string) => ({ fullName, status, failureMessages: [] });

describe("CI's closing report", () => {
  it('ends with the counts, and passes when every skip is expected', () => {
    const { status, lines } = runReport(
      [
        {
          name: 'a.test.ts',
          status: 'passed',
          assertionResults: [test('a 1', 'passed'), test('a 2', 'skipped')],
        },
      ],
      ['a 2'],
    );
    expect(status).toBe(0);
    expect(lines.at(-1)).toBe('1 passed, 0 failed, 1 skipped');
  });

  it('fails on a skip nobody listed, naming it', () => {
    const { status, lines } = runReport(
      [{ name: 'a.test.ts', status: 'passed', assertionResults: [test('a new skip', 'pending')] }],
      [],
    );
    expect(status).toBe(1);
    expect(lines).toContain('  UNEXPECTED a new skip');
    expect(lines.at(-1)).toBe('0 passed, 1 failed, 1 skipped');
  });

  it('counts a file that failed before its tests ran (a missing prerequisite) as a failure', () => {
    const why = 'CI=true, and kernel tests need nft on PATH';
    const { status, lines } = runReport(
      [{ name: 'k.kernel.test.ts', status: 'failed', message: why, assertionResults: [] }],
      [],
    );
    expect(status).toBe(1);
    expect(lines).toContain(`      ${why}`);
    expect(lines.at(-1)).toBe('0 passed, 1 failed, 0 skipped');
  });

  it('fails when vitest wrote no report', () => {
    const run = spawnSync(process.execPath, [reportScript, '/nonexistent/report.json'], {
      encoding: 'utf8',
    });
    expect(run.status).toBe(1);
    expect(run.stdout.trimEnd().split('\n').at(-1)).toBe('0 passed, 1 failed, 0 skipped');
  });
});

import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import type { LabHandle } from './drivers/lab.ts';

// The real command, as a user runs it: this file loads before vitest resolves workspace
// packages from source, and `loom lab up`'s own time is what the e2e run should record.
const LOOM = fileURLToPath(new URL('../packages/cli/src/main.ts', import.meta.url));

let lab: LabHandle | undefined;

function loom(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--conditions=loom-source', LOOM, 'lab', ...args],
      { timeout: 1_800_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) =>
        error ? reject(new Error(`loom lab ${args[0]} failed: ${stderr}`)) : resolve(stdout),
    );
  });
}

const labArgs = (handle: LabHandle) => ['--state-dir', handle.stateDir, '--prefix', handle.prefix];

/**
 * One lab for the whole e2e run (vitest `globalSetup`): `loom lab up` before the first spec
 * file, `loom lab down` after the last. Its report (with the time to 3 Ready nodes) is printed.
 */
export async function setup(project: TestProject): Promise<void> {
  const handle = {
    stateDir: mkdtempSync(join(tmpdir(), 'loom-e2e-')),
    prefix: `loom-e2e${randomBytes(2).toString('hex')}-`,
  };
  lab = handle;
  const report = await loom(['up', ...labArgs(handle), '--api-port', '0', '--nodes', '3']);
  process.stderr.write(`e2e lab (loom lab up):\n${report}`);
  project.provide('loomE2eLab', handle);
}

export async function teardown(): Promise<void> {
  if (!lab) return;
  await loom(['down', ...labArgs(lab)]);
  rmSync(lab.stateDir, { recursive: true, force: true });
}

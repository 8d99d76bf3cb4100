import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { selectedDriverName } from './drivers/cluster-driver.ts';
import type { LabHandle } from './drivers/lab.ts';
import { type KindCluster, startE2eKindCluster, stopE2eKindCluster } from './kind/kind-cluster.ts';

// The real command, as a user runs it: this file loads before vitest resolves workspace
// packages from source, and `loom lab up`'s own time is what the e2e run should record.
const LOOM = fileURLToPath(new URL('../packages/cli/src/main.ts', import.meta.url));

let lab: LabHandle | undefined;
let kind: { cluster: KindCluster; project: TestProject } | undefined;

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
 * With LOOM_E2E_DRIVER=kind, one kind cluster instead (e2e/kind/kind-cluster.ts).
 */
export async function setup(project: TestProject): Promise<void> {
  if (selectedDriverName() === 'kind') {
    const log = (line: string) => process.stderr.write(`${line}\n`);
    kind = { cluster: await startE2eKindCluster(log), project };
    project.provide('loomE2eKind', kind.cluster);
    return;
  }
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
  if (kind) {
    // A failed run keeps kind's logs (`kind export logs`) for reading.
    const failed = kind.project.vitest.state.getCountOfFailedTests() > 0;
    const notes = await stopE2eKindCluster(kind.cluster, failed);
    process.stderr.write(`${notes.join('\n')}\n`);
    return;
  }
  if (!lab) return;
  await loom(['down', ...labArgs(lab)]);
  rmSync(lab.stateDir, { recursive: true, force: true });
}

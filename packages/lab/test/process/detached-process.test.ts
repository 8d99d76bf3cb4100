import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  isOurProcess,
  launchArgv,
  launchDetached,
  readPidFile,
  stopProcess,
} from '../../src/process/detached-process.ts';

const started: number[] = [];
// Made in beforeAll, not at load: `vitest list` loads the file without running hooks.
let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'loom-proc-test-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

afterEach(() => {
  for (const pid of started.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {}
  }
});

// The marker (the state dir on every lab command line) is an argument of the process.
function launch(file: string, args: string[]) {
  const dir = mkdtempSync(join(scratch, 'proc-'));
  const files = { logFile: join(dir, 'p.log'), pidFile: join(dir, 'p.pid') };
  const pid = launchDetached({ file, args: [...args, `${dir}/`], ...files });
  started.push(pid);
  return { dir, pid, ...files };
}

describe('detached processes', () => {
  it('runs a program in a namespace through nsenter, which keeps its PID', () => {
    expect(launchArgv({ file: '/bin/etcd', args: ['--x'], netns: 'loom-cp' })).toEqual([
      'nsenter',
      '--net=/var/run/netns/loom-cp',
      '--',
      '/bin/etcd',
      '--x',
    ]);
    expect(launchArgv({ file: '/bin/etcd', args: [] })).toEqual(['/bin/etcd']);
  });

  it("runs a node's process in its network and mount namespaces (never ip netns exec)", () => {
    const spec = { file: '/bin/kubelet', args: [], netns: 'loom-node1' };
    expect(launchArgv({ ...spec, mountNamespace: '/var/lib/loom-lab/mntns/node1' })).toEqual([
      'nsenter',
      '--net=/var/run/netns/loom-node1',
      '--mount=/var/lib/loom-lab/mntns/node1',
      '--',
      '/bin/kubelet',
    ]);
  });

  it('records the PID, logs the output, and stops on SIGTERM', async () => {
    const proc = launch(process.execPath, [
      '-e',
      "console.log('hello'); setInterval(() => {}, 1000)",
    ]);
    expect(readPidFile(proc.pidFile)).toBe(proc.pid);
    expect(isOurProcess(proc.pid, `${proc.dir}/`)).toBe(true);
    expect(isOurProcess(proc.pid, '/some/other/lab/')).toBe(false);
    await expect.poll(() => readFileSync(proc.logFile, 'utf8')).toContain('hello');
    const result = await stopProcess(proc.pid, `${proc.dir}/`);
    expect(result.outcome).toBe('stopped');
    expect(existsSync(`/proc/${proc.pid}`) && isOurProcess(proc.pid, `${proc.dir}/`)).toBe(false);
  });

  it('kills a process that ignores SIGTERM once the grace period is over', async () => {
    const proc = launch('/bin/sh', ['-c', "trap '' TERM; while :; do sleep 0.1; done"]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const result = await stopProcess(proc.pid, `${proc.dir}/`, 300);
    expect(result.outcome).toBe('killed');
    expect(isOurProcess(proc.pid, `${proc.dir}/`)).toBe(false);
  });

  it('never signals a PID whose command line is not the lab’s', async () => {
    expect(await stopProcess(process.pid, '/var/lib/no-such-lab/')).toEqual({
      outcome: 'not-running',
      durationMs: 0,
    });
  });
});

import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { ipJson, netnsExists } from '../../src/kernel/index.ts';
import {
  canUseNetns,
  createTestNetns,
  deleteRegisteredNetns,
  kernelSuiteTitle,
  registeredNetns,
} from '../../src/testing/index.ts';

const run = promisify(execFile);
const forgetful = fileURLToPath(new URL('./fixtures/forgetful-test-netns.ts', import.meta.url));

describe.skipIf(!canUseNetns())(kernelSuiteTitle('test netns helpers'), () => {
  afterAll(async () => {
    await deleteRegisteredNetns();
  });

  it('names namespaces loom-t-<random> and deletes them on cleanup, twice safely', async () => {
    const ns = await createTestNetns();
    expect(ns.name).toMatch(/^loom-t-[0-9a-f]{8}$/);
    expect(netnsExists(ns.name)).toBe(true);
    expect(registeredNetns()).toContain(ns.name);
    await ns.cleanup();
    await ns.cleanup();
    expect(netnsExists(ns.name)).toBe(false);
    expect(registeredNetns()).not.toContain(ns.name);
  });

  it('refuses a prefix outside loom-', async () => {
    await expect(createTestNetns('test')).rejects.toThrow(/must start with "loom-"/);
  });

  it('runs the bound runner and exec inside the namespace', async () => {
    const ns = await createTestNetns('loom-t-exec');
    try {
      const links = await ipJson<Array<{ ifname: string }>>(ns.runner, ['link', 'show']);
      expect(links.map((l) => l.ifname)).toEqual(['lo']);
      const { stdout } = await ns.exec('busybox', ['ip', 'addr', 'show', 'lo']);
      expect(stdout).toContain('127.0.0.1');
      await expect(ns.exec('busybox', ['false'])).rejects.toThrow(
        new RegExp(`^busybox false failed in netns ${ns.name} \\(exit code 1\\)`),
      );
    } finally {
      await ns.cleanup();
    }
  });

  it('deletes what a test forgot to clean up', async () => {
    const forgotten = await createTestNetns('loom-t-forgot');
    expect(await deleteRegisteredNetns()).toContain(forgotten.name);
    expect(netnsExists(forgotten.name)).toBe(false);
  });

  it('deletes a forgotten namespace when the process exits', async () => {
    const { stdout } = await run(process.execPath, ['--conditions=loom-source', forgetful]);
    const name = stdout.trim();
    expect(name).toMatch(/^loom-t-forgot-[0-9a-f]{8}$/);
    expect(netnsExists(name)).toBe(false);
  });
});

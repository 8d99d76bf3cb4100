// The shipping form: `npm run build` makes single executables (Node SEA). They must work on a
// host without Node, with the bare environment a runtime may give: no PATH, nothing but CNI_*.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestNetns, netnsSkipReason, type TestNetns } from '@loom-net/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPluginExecutable } from '../../ipam/scripts/plugin-executable.ts';

const packages = join(import.meta.dirname, '..', '..');

describe.skipIf(netnsSkipReason() !== undefined)(
  'the built loom-cni and loom-ipam executables',
  () => {
    let dir: string;
    let host: TestNetns;
    let pod: TestNetns;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'loom-cni-exe-'));
      await Promise.all(
        ['cni', 'ipam'].map((pkg) =>
          buildPluginExecutable({
            entry: join(packages, pkg, 'src', 'main.ts'),
            output: join(dir, `loom-${pkg}`),
          }),
        ),
      );
      host = await createTestNetns();
      pod = await createTestNetns();
    }, 120_000);
    afterAll(async () => {
      await pod?.cleanup();
      await host?.cleanup();
      rmSync(dir, { recursive: true, force: true });
    });

    // `env -i`: not even PATH, so neither node nor ip can be found through it.
    function run(bin: string, env: Record<string, string>, stdin: string) {
      const vars = Object.entries(env).map(([k, v]) => `${k}=${v}`);
      const outcome = spawnSync(
        'nsenter',
        [`--net=/var/run/netns/${host.name}`, 'env', '-i', ...vars, join(dir, bin)],
        { input: stdin, encoding: 'utf8' },
      );
      return {
        status: outcome.status,
        json: outcome.stdout ? JSON.parse(outcome.stdout) : undefined,
        stderr: outcome.stderr,
      };
    }

    it('runs ADD, CHECK and DEL with loom-ipam in-process, and loom-ipam on its own', () => {
      const config = {
        cniVersion: '1.1.0',
        name: 'exe-test',
        type: 'loom-cni',
        ipam: {
          type: 'loom-ipam',
          dataDir: join(dir, 'ipam'),
          ranges: [[{ subnet: '10.244.1.0/24' }]],
        },
      };
      const env = {
        CNI_CONTAINERID: 'c-exe',
        CNI_NETNS: `/var/run/netns/${pod.name}`,
        CNI_IFNAME: 'eth0',
      };
      const add = run('loom-cni', { ...env, CNI_COMMAND: 'ADD' }, JSON.stringify(config));
      expect(add, add.stderr).toMatchObject({
        status: 0,
        json: { ips: [{ address: '10.244.1.2/24', gateway: '10.244.1.1', interface: 2 }] },
      });
      const check = run(
        'loom-cni',
        { ...env, CNI_COMMAND: 'CHECK' },
        JSON.stringify({ ...config, prevResult: add.json }),
      );
      expect(check.status).toBe(0);
      expect(run('loom-cni', { ...env, CNI_COMMAND: 'DEL' }, JSON.stringify(config)).status).toBe(
        0,
      );

      const ipam = run('loom-ipam', { ...env, CNI_COMMAND: 'ADD' }, JSON.stringify(config));
      expect(ipam).toMatchObject({
        status: 0,
        json: { cniVersion: '1.1.0', ips: [{ address: '10.244.1.3/24', gateway: '10.244.1.1' }] },
      });
      expect(run('loom-ipam', { CNI_COMMAND: 'VERSION' }, '').json).toMatchObject({
        cniVersion: '1.1.0',
      });
    });
  },
);

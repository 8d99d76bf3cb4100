import { existsSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SUPPORTED_CNI_VERSIONS } from '@loom-net/cni-spec';
import { ipLinks } from '@loom-net/core/kernel';
import { netnsSkipReason, type TestNetns } from '@loom-net/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NETWORK, useCniFixture, V4, withPrev } from './cni-fixture.ts';
import { runPlugin } from './plugin-harness.ts';

describe.skipIf(netnsSkipReason() !== undefined)(
  'loom-cni with bad input, and with a delegated IPAM plugin',
  () => {
    const f = useCniFixture();
    const { newPod, netnsPath, config, call, addOk, podLink, ping, allocations } = f;
    const hostLinks = () => ipLinks(f.host.runner, ['-d', 'link', 'show']);

    describe('bad input from the runtime', () => {
      // Each answer in full: the code a runtime branches on and the message a person reads.
      it.each([
        {
          name: 'empty stdin',
          command: 'ADD',
          config: '',
          answer: {
            code: 6,
            msg: 'cannot decode the network configuration on stdin: stdin is empty',
          },
        },
        {
          name: 'stdin that is not JSON',
          command: 'ADD',
          config: 'cniVersion: 1.1.0',
          answer: {
            code: 6,
            msg: 'cannot decode the network configuration on stdin: Unexpected token \'c\', "cniVersion: 1.1.0" is not valid JSON',
          },
        },
        {
          name: 'an unsupported version',
          command: 'ADD',
          config: { cniVersion: '0.2.0', name: NETWORK, type: 'loom-cni' },
          answer: {
            cniVersion: '0.2.0',
            code: 1,
            msg: 'incompatible CNI version 0.2.0',
            details: 'this plugin supports 0.3.0, 0.3.1, 0.4.0, 1.0.0, 1.1.0',
          },
        },
        {
          name: 'CHECK in 0.3.1',
          command: 'CHECK',
          config: { cniVersion: '0.3.1', name: NETWORK, type: 'loom-cni' },
          answer: {
            cniVersion: '0.3.1',
            code: 1,
            msg: 'config version 0.3.1 does not allow CHECK',
            details: 'CHECK needs cniVersion 0.4.0 or later',
          },
        },
        {
          name: 'a missing network name',
          command: 'ADD',
          config: { cniVersion: '1.1.0', type: 'loom-cni' },
          answer: { code: 7, msg: 'invalid network configuration: name is missing' },
        },
        {
          name: 'an invalid key value',
          command: 'ADD',
          config: { cniVersion: '1.1.0', name: NETWORK, type: 'loom-cni', mtu: 'big' },
          answer: {
            code: 7,
            msg: 'invalid loom-cni configuration: mtu must be an integer from 68 to 65535, got string "big"',
          },
        },
        {
          name: 'an unsupported key',
          command: 'ADD',
          config: { cniVersion: '1.1.0', name: NETWORK, type: 'loom-cni', vlan: 7 },
          answer: {
            code: 2,
            msg: 'unsupported field vlan: 7',
            details: 'loom-cni does not implement vlan',
          },
        },
        {
          name: 'an unknown command',
          command: 'REPAIR',
          config: {},
          answer: {
            code: 4,
            msg: 'CNI_COMMAND "REPAIR" is unknown: expected one of ADD, DEL, CHECK, STATUS, VERSION, GC',
          },
        },
        {
          name: 'a missing container id',
          command: 'ADD',
          config: {},
          env: { containerId: undefined },
          answer: { code: 4, msg: 'ADD needs CNI_CONTAINERID, which is not set' },
        },
        {
          name: 'a netns that does not exist',
          command: 'ADD',
          config: {},
          env: { netns: '/var/run/netns/loom-t-missing' },
          answer: { code: 4, msg: 'CNI_NETNS /var/run/netns/loom-t-missing does not exist' },
        },
        {
          name: 'an IPAM plugin missing from CNI_PATH',
          command: 'ADD',
          config: { ipam: { type: 'no-such-ipam' } },
          answer: { code: 4, msg: 'cannot find IPAM plugin no-such-ipam in CNI_PATH <CNI_PATH>' },
        },
      ])(
        'answers $name with code $answer.code and changes nothing',
        async ({ command, config: cfg, answer, env }) => {
          const pod = await newPod();
          const stdin =
            typeof cfg === 'string' || 'cniVersion' in cfg
              ? cfg
              : config(cfg as Record<string, unknown>);
          const outcome = await runPlugin({
            bin: f.plugins.cni,
            hostNetns: f.host.name,
            command,
            containerId: 'c-bad',
            netns: netnsPath(pod),
            ifname: 'eth0',
            path: [f.plugins.dir],
            config: stdin,
            ...env,
          });
          expect(outcome.exitCode).toBe(1);
          expect(outcome.json).toEqual({
            cniVersion: '1.1.0',
            ...answer,
            msg: answer.msg.replace('<CNI_PATH>', f.plugins.dir),
          });
          expect(await podLink(pod)).toBeUndefined();
          expect((await hostLinks()).map((l) => l.ifname)).toEqual(['lo']);
        },
      );

      it('answers VERSION without configuration or environment', async () => {
        const outcome = await runPlugin({
          bin: f.plugins.cni,
          hostNetns: f.host.name,
          command: 'VERSION',
        });
        expect(outcome.json).toEqual({
          cniVersion: '1.1.0',
          supportedVersions: [...SUPPORTED_CNI_VERSIONS],
        });
      });
    });

    describe('CNI_NETNS paths with whitespace, quotes, a comment sign or a line break', () => {
      // The runtime's path is a symbolic link to the pod's namespace file, named as needed.
      let dir: string;
      beforeAll(() => {
        dir = mkdtempSync(join(tmpdir(), 'loom-cni-netns-'));
      });
      afterAll(() => rmSync(dir, { recursive: true, force: true }));
      const linkTo = (pod: TestNetns, path: string) => {
        symlinkSync(netnsPath(pod), path);
        return path;
      };

      async function attachAndDetach(pod: TestNetns, path: string): Promise<void> {
        const add = await call('ADD', undefined, 'c-path', config(), { netns: path });
        expect(add, add.stdout + add.stderr).toMatchObject({ exitCode: 0 });
        expect(add.json?.interfaces?.at(-1)).toMatchObject({ name: 'eth0', sandbox: path });
        expect((await podLink(pod))?.addr_info.map((a) => a.local)).toContain('10.244.1.2');
        await ping(pod, '10.244.1.1');
        const check = await call('CHECK', undefined, 'c-path', withPrev(config(), add.json), {
          netns: path,
        });
        expect(check, check.stdout).toMatchObject({ exitCode: 0 });
        const del = await call('DEL', undefined, 'c-path', config(), { netns: path });
        expect(del, del.stdout).toMatchObject({ exitCode: 0 });
        expect(await podLink(pod)).toBeUndefined();
        expect(allocations()).toEqual([]);
      }

      it.each([
        ['a space', 'pod 1'],
        ['a tab', 'pod\t1'],
        ['a double quote and a space', 'say "hi" 1'],
        ['a trailing backslash', 'pod\\'],
      ])('attaches a pod whose CNI_NETNS holds %s, checks and detaches it', async (_, name) => {
        const pod = await newPod();
        await attachAndDetach(pod, linkTo(pod, join(dir, name)));
      });

      it('enters a file of /var/run/netns whose name ip -n cannot take through its path', async () => {
        const pod = await newPod();
        const path = linkTo(pod, `/var/run/netns/${pod.name} sp`);
        try {
          await attachAndDetach(pod, path);
        } finally {
          rmSync(path, { force: true });
        }
      });

      it.each([
        ['a comment sign', 'pod#1'],
        ['a line break', 'pod\n1'],
        ['whitespace with both quote kinds', `"it's" 1`],
      ])(
        'refuses a CNI_NETNS holding %s with code 4, before changing anything',
        async (_, name) => {
          const pod = await newPod();
          const path = linkTo(pod, join(dir, name));
          const outcome = await call('ADD', undefined, 'c-path', config(), { netns: path });
          expect(outcome.exitCode).toBe(1);
          expect(outcome.json).toEqual({
            cniVersion: '1.1.0',
            code: 4,
            msg: `CNI_NETNS ${JSON.stringify(path)} cannot be used: loom-cni passes it to ip -batch, which cannot read a path holding '#', a line break, or whitespace together with both ' and "`,
          });
          expect(await podLink(pod)).toBeUndefined();
          expect((await hostLinks()).map((l) => l.ifname)).toEqual(['lo']);
          expect(existsSync(join(f.dataDir, NETWORK))).toBe(false);
        },
      );
    });

    describe('a runtime that stops reading stdout before the answer', () => {
      const gone = (answer: string, printed: string) =>
        `loom-cni: cannot write its ${answer} to stdout: EPIPE: broken pipe, write; the ${answer} was: ${printed}`;

      it('gets a line on stderr and exit code 1 from ADD, not a stack trace; DEL cleans up', async () => {
        const pod = await newPod();
        const add = await call('ADD', pod, 'c-gone', config(), { stdoutGone: true });
        expect(add).toMatchObject({ exitCode: 1, signal: null, stdout: '' });
        const [line, ...rest] = add.stderr.split('\n');
        expect(rest).toEqual(['']);
        const printed = line!.slice(gone('result', '').length);
        expect(line).toBe(gone('result', printed));
        expect(JSON.parse(printed)).toMatchObject({
          cniVersion: '1.1.0',
          ips: [{ address: '10.244.1.2/24' }, { address: 'fd00:10:244:1::2/64' }],
        });
        // Without the result the runtime takes the ADD as failed and tears it down with DEL.
        const del = await call('DEL', pod, 'c-gone', config());
        expect(del).toMatchObject({ exitCode: 0 });
        expect(await podLink(pod)).toBeUndefined();
        expect(allocations()).toEqual([]);
      });

      it('the same for an error result and for VERSION', async () => {
        const bad = await call('ADD', await newPod(), 'c-gone', config({ mtu: 'big' }), {
          stdoutGone: true,
        });
        expect(bad).toMatchObject({
          exitCode: 1,
          stderr: `${gone('error result', '{"cniVersion":"1.1.0","code":7,"msg":"invalid loom-cni configuration: mtu must be an integer from 68 to 65535, got string \\"big\\""}')}\n`,
        });
        const version = await runPlugin({
          bin: f.plugins.cni,
          hostNetns: f.host.name,
          command: 'VERSION',
          stdoutGone: true,
        });
        expect(version).toMatchObject({
          exitCode: 1,
          stderr: `${gone('result', JSON.stringify({ cniVersion: '1.1.0', supportedVersions: SUPPORTED_CNI_VERSIONS }))}\n`,
        });
      });
    });

    describe("with Debian's host-local as the delegated IPAM plugin", () => {
      const hostLocal = (version: string) =>
        config({}, { type: 'host-local', ranges: [[{ subnet: V4 }]] }, version);

      it.each(['1.0.0', '1.1.0'])(
        'runs ADD, CHECK and DEL through it (config %s)',
        async (version) => {
          const pod = await newPod();
          const cfg = hostLocal(version);
          const result = await addOk(pod, 'c-hl', cfg);
          expect(result.ips).toEqual([
            { address: '10.244.1.2/24', gateway: '10.244.1.1', interface: 2 },
          ]);
          expect(allocationsOf(f.dataDir)).toEqual(['10.244.1.2']);
          expect(await call('CHECK', pod, 'c-hl', withPrev(cfg, result))).toMatchObject({
            exitCode: 0,
          });
          await ping(pod, '10.244.1.1');
          expect(await call('DEL', pod, 'c-hl', withPrev(cfg, result))).toMatchObject({
            exitCode: 0,
          });
          expect(allocationsOf(f.dataDir)).toEqual([]);
        },
      );

      it("passes the delegate's error through and rolls back", async () => {
        const cfg = config(
          {},
          { type: 'host-local', ranges: [[{ subnet: '10.244.9.0/30' }]] },
          '1.0.0',
        );
        await addOk(await newPod(), 'c-hl-1', cfg);
        const pod = await newPod();
        const outcome = await call('ADD', pod, 'c-hl-2', cfg);
        expect(outcome.exitCode).toBe(1);
        expect(outcome.json!.msg).toMatch(
          /^IPAM plugin host-local failed ADD: .*no IP addresses available/,
        );
        expect(await podLink(pod)).toBeUndefined();
        expect((await hostLinks()).filter((l) => l.ifname.startsWith('veth'))).toHaveLength(1);
      });

      it('skips GC and STATUS, which this host-local predates', async () => {
        const cfg = hostLocal('1.1.0');
        expect(await call('STATUS', undefined, 'x', cfg)).toMatchObject({ exitCode: 0 });
        expect(
          await call('GC', undefined, 'x', { ...cfg, 'cni.dev/valid-attachments': [] }),
        ).toMatchObject({ exitCode: 0 });
      });

      function allocationsOf(dir: string): string[] {
        try {
          return readdirSync(join(dir, NETWORK)).filter((f) => /^\d+\.\d+\.\d+\.\d+$/.test(f));
        } catch {
          return [];
        }
      }
    });
  },
);

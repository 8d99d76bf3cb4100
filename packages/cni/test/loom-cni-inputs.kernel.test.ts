import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ipJson } from '@loom-net/core/kernel';
import { netnsSkipReason } from '@loom-net/core/testing';
import { SUPPORTED_CNI_VERSIONS } from '@loom-net/ipam';
import { describe, expect, it } from 'vitest';
import { type IpLink, NETWORK, useCniFixture, V4, withPrev } from './cni-fixture.ts';
import { runPlugin } from './plugin-harness.ts';

describe.skipIf(netnsSkipReason() !== undefined)(
  'loom-cni with bad input, and with a delegated IPAM plugin',
  () => {
    const f = useCniFixture();
    const { newPod, netnsPath, config, call, addOk, podLink, ping } = f;
    const hostLinks = () => ipJson<IpLink[]>(f.host.runner, ['-d', 'link', 'show']);

    describe('bad input from the runtime', () => {
      it.each([
        { name: 'empty stdin', command: 'ADD', config: '', code: 6 },
        { name: 'stdin that is not JSON', command: 'ADD', config: 'cniVersion: 1.1.0', code: 6 },
        {
          name: 'an unsupported version',
          command: 'ADD',
          config: { cniVersion: '0.2.0', name: NETWORK, type: 'loom-cni' },
          code: 1,
        },
        {
          name: 'CHECK in 0.3.1',
          command: 'CHECK',
          config: { cniVersion: '0.3.1', name: NETWORK, type: 'loom-cni' },
          code: 1,
        },
        {
          name: 'a missing network name',
          command: 'ADD',
          config: { cniVersion: '1.1.0', type: 'loom-cni' },
          code: 7,
        },
        {
          name: 'an invalid key value',
          command: 'ADD',
          config: { cniVersion: '1.1.0', name: NETWORK, type: 'loom-cni', mtu: 'big' },
          code: 7,
        },
        {
          name: 'an unsupported key',
          command: 'ADD',
          config: { cniVersion: '1.1.0', name: NETWORK, type: 'loom-cni', vlan: 7 },
          code: 2,
        },
        { name: 'an unknown command', command: 'REPAIR', config: {}, code: 4 },
        {
          name: 'a missing container id',
          command: 'ADD',
          config: {},
          code: 4,
          env: { containerId: undefined },
        },
        {
          name: 'a netns that does not exist',
          command: 'ADD',
          config: {},
          code: 4,
          env: { netns: '/var/run/netns/loom-t-missing' },
        },
        {
          name: 'an IPAM plugin missing from CNI_PATH',
          command: 'ADD',
          config: { ipam: { type: 'no-such-ipam' } },
          code: 4,
        },
      ])(
        'answers $name with code $code and changes nothing',
        async ({ command, config: cfg, code, env }) => {
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
          expect(outcome.json).toMatchObject({ code, msg: expect.any(String) });
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

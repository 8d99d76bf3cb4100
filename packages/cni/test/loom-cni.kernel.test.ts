import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { SUPPORTED_CNI_VERSIONS } from '@loom-net/cni-spec';
import { ipLinks, ipRoutes } from '@loom-net/core/kernel';
import { netnsSkipReason } from '@loom-net/core/testing';
import { describe, expect, it } from 'vitest';
import { hostVethName } from '../src/link-plan.ts';
import { masqNames } from '../src/masquerade-rules.ts';
import { NETWORK, useCniFixture, withPrev } from './cni-fixture.ts';

describe.skipIf(netnsSkipReason() !== undefined)(
  'loom-cni as a real process in throwaway namespaces',
  () => {
    const f = useCniFixture();
    const { newPod, netnsPath, config, call, addOk, podLink, allocations, masqElements, ping } = f;
    const hostLinks = () => ipLinks(f.host.runner, ['-d', 'link', 'show']);

    describe('ADD, CHECK and DEL in every supported spec version', () => {
      it.each(SUPPORTED_CNI_VERSIONS)('%s', async (version) => {
        const pod = await newPod();
        const cfg = config({}, {}, version);
        const result = await addOk(pod, 'c-versions', cfg);

        // The result, in the version asked for.
        const link = (await podLink(pod))!;
        const hostVeth = hostVethName(NETWORK, { containerId: 'c-versions', ifname: 'eth0' });
        const legacy = version < '1.0.0';
        const rich = version === '1.1.0';
        expect(result.cniVersion).toBe(version);
        expect(result.interfaces).toEqual([
          { name: 'loom0', mac: expect.stringMatching(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/) },
          { name: hostVeth, mac: expect.any(String), ...(rich ? { mtu: 1400 } : {}) },
          {
            name: 'eth0',
            mac: link.address,
            ...(rich ? { mtu: 1400 } : {}),
            sandbox: netnsPath(pod),
          },
        ]);
        expect(result.ips).toEqual([
          {
            ...(legacy ? { version: '4' } : {}),
            address: '10.244.1.2/24',
            gateway: '10.244.1.1',
            interface: 2,
          },
          {
            ...(legacy ? { version: '6' } : {}),
            address: 'fd00:10:244:1::2/64',
            gateway: 'fd00:10:244:1::1',
            interface: 2,
          },
        ]);
        expect(result.routes).toEqual([
          { dst: '0.0.0.0/0', gw: '10.244.1.1' },
          { dst: '::/0', gw: 'fd00:10:244:1::1' },
        ]);

        // The kernel state behind it.
        expect(link).toMatchObject({ mtu: 1400, operstate: 'UP' });
        expect(
          link.addr_info
            .filter((a) => !a.local.startsWith('fe80'))
            .map((a) => `${a.local}/${a.prefixlen}`),
        ).toEqual(['10.244.1.2/24', 'fd00:10:244:1::2/64']);
        const routes = await ipRoutes(pod.runner, ['route', 'show']);
        expect(routes).toContainEqual(
          expect.objectContaining({ dst: 'default', gateway: '10.244.1.1' }),
        );
        const veth = (await hostLinks()).find((l) => l.ifname === hostVeth)!;
        expect(veth).toMatchObject({ master: 'loom0', mtu: 1400 });
        expect(veth.linkinfo?.info_slave_data?.hairpin).toBe(true);
        const bridge = (await ipLinks(f.host.runner, ['addr', 'show', 'dev', 'loom0']))[0]!;
        expect(bridge.addr_info.map((a) => `${a.local}/${a.prefixlen}`)).toEqual(
          expect.arrayContaining(['10.244.1.1/24', 'fd00:10:244:1::1/64']),
        );

        if (version >= '0.4.0') {
          const check = await call('CHECK', pod, 'c-versions', withPrev(cfg, result));
          expect(check, check.stdout).toMatchObject({ exitCode: 0, stdout: '' });
        }
        const del = await call('DEL', pod, 'c-versions', withPrev(cfg, result));
        expect(del, del.stdout).toMatchObject({ exitCode: 0, stdout: '' });
        expect(await podLink(pod)).toBeUndefined();
        expect((await hostLinks()).map((l) => l.ifname)).not.toContain(hostVeth);
        expect(allocations()).toEqual([]);
      });
    });

    it('connects pods on the bridge to each other and to the gateway over IPv4 and IPv6', async () => {
      const [a, b] = [await newPod(), await newPod()];
      await addOk(a, 'c-a');
      await addOk(b, 'c-b');
      await ping(a, '10.244.1.3');
      await ping(b, '10.244.1.2');
      await ping(a, 'fd00:10:244:1::3');
      await ping(a, '10.244.1.1');
      await ping(b, 'fd00:10:244:1::1');
    });

    it('accepts a CNI_NETNS that is a /proc/<pid>/ns/net path, as the spec allows', async () => {
      const pod = await newPod();
      // A process that lives in the pod namespace: its ns file is the path the runtime hands over.
      const holder = spawn('nsenter', [`--net=${netnsPath(pod)}`, 'sleep', '60'], {
        stdio: 'ignore',
      });
      try {
        await expect.poll(() => existsSync(`/proc/${holder.pid}/ns/net`)).toBe(true);
        const procPath = `/proc/${holder.pid}/ns/net`;
        const add = await call('ADD', undefined, 'c-proc', config(), { netns: procPath });
        expect(add, add.stdout + add.stderr).toMatchObject({ exitCode: 0 });
        expect(add.json?.interfaces?.at(-1)).toMatchObject({ name: 'eth0', sandbox: procPath });
        expect((await podLink(pod))?.addr_info.map((a) => a.local)).toContain('10.244.1.2');
        const del = await call('DEL', undefined, 'c-proc', config(), { netns: procPath });
        expect(del, del.stdout + del.stderr).toMatchObject({ exitCode: 0 });
        expect(await podLink(pod)).toBeUndefined();
      } finally {
        holder.kill('SIGKILL');
      }
    });

    it('fails ADD onto an interface name that exists (101) and leaves the existing attachment alone', async () => {
      const [a, b] = [await newPod(), await newPod()];
      await addOk(a, 'c-first');
      await addOk(b, 'c-peer');
      const again = await call('ADD', a, 'c-second', config());
      expect(again.exitCode).toBe(1);
      expect(again.json).toMatchObject({
        code: 101,
        msg: `interface eth0 already exists in netns ${netnsPath(a)}`,
      });
      // The refused ADD gave its addresses back; the first attachment still works.
      expect(
        allocations()
          .map((r) => r.container_id)
          .sort(),
      ).toEqual(['c-first', 'c-first', 'c-peer', 'c-peer']);
      await ping(b, '10.244.1.2');

      // A runtime repeating the very same ADD gets 101 too, and the live pod keeps its addresses.
      expect((await call('ADD', a, 'c-first', config())).json).toMatchObject({ code: 101 });
      expect(allocations().filter((r) => r.container_id === 'c-first')).toHaveLength(2);
      await ping(b, '10.244.1.2');

      // The same for an interface another plugin made: DEL after the failed ADD must not remove it.
      const c = await newPod();
      await c.runner.run({
        tool: 'ip',
        args: ['link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'other0'],
      });
      expect((await call('ADD', c, 'c-other', config())).json).toMatchObject({ code: 101 });
      expect((await call('DEL', c, 'c-other', config())).exitCode).toBe(0);
      expect(await podLink(c)).toMatchObject({ ifname: 'eth0', linkinfo: { info_kind: 'veth' } });
    });

    it('makes DEL idempotent: repeated, without CNI_NETNS or prevResult, after the namespace is gone', async () => {
      const pod = await newPod();
      const result = await addOk(pod, 'c-del', config({ ipMasq: true }));
      const cfg = config({ ipMasq: true });
      expect(await call('DEL', pod, 'c-del', withPrev(cfg, result))).toMatchObject({ exitCode: 0 });
      expect(await call('DEL', pod, 'c-del', cfg)).toMatchObject({ exitCode: 0 });
      expect(await call('DEL', undefined, 'c-del', cfg)).toMatchObject({ exitCode: 0 });
      expect(await masqElements()).toEqual([]);

      const gone = await newPod();
      await addOk(gone, 'c-gone', cfg);
      await gone.cleanup();
      const outcome = await call('DEL', gone, 'c-gone', cfg);
      expect(outcome, outcome.stdout).toMatchObject({ exitCode: 0 });
      expect(allocations()).toEqual([]);
      expect(await masqElements()).toEqual([]);
      expect((await hostLinks()).filter((l) => l.ifname.startsWith('veth'))).toEqual([]);
    });

    it('CHECK reports what differs from prevResult (107) and needs prevResult (7)', async () => {
      const pod = await newPod();
      const cfg = config({ ipMasq: true });
      const result = await addOk(pod, 'c-check', cfg);
      const check = () => call('CHECK', pod, 'c-check', withPrev(cfg, result));
      expect(await check()).toMatchObject({ exitCode: 0 });
      expect((await call('CHECK', pod, 'c-check', cfg)).json).toMatchObject({
        code: 7,
        msg: expect.stringContaining('prevResult'),
      });

      await pod.runner.run({ tool: 'ip', args: ['route', 'del', 'default'] });
      expect((await check()).json).toMatchObject({
        code: 107,
        msg: `route to 0.0.0.0/0 via 10.244.1.1 is missing in netns ${netnsPath(pod)}`,
      });
      await pod.runner.run({ tool: 'ip', args: ['route', 'add', 'default', 'via', '10.244.1.1'] });
      expect(await check()).toMatchObject({ exitCode: 0 });

      await f.host.runner.run({
        tool: 'nft',
        args: ['flush', 'set', 'inet', 'loom-cni', masqNames(NETWORK).pods4],
      });
      expect((await check()).json).toMatchObject({
        code: 107,
        msg: 'address 10.244.1.2/24 is not masqueraded for c-check/eth0',
      });

      await pod.runner.run({ tool: 'ip', args: ['addr', 'del', '10.244.1.2/24', 'dev', 'eth0'] });
      expect((await check()).json).toMatchObject({
        code: 107,
        msg: `eth0 in netns ${netnsPath(pod)} lacks address 10.244.1.2/24`,
      });

      const veth = hostVethName(NETWORK, { containerId: 'c-check', ifname: 'eth0' });
      await f.host.runner.run({ tool: 'ip', args: ['link', 'set', 'dev', veth, 'nomaster'] });
      await pod.runner.run({ tool: 'ip', args: ['addr', 'add', '10.244.1.2/24', 'dev', 'eth0'] });
      await pod.runner.run({ tool: 'ip', args: ['route', 'add', 'default', 'via', '10.244.1.1'] });
      expect((await check()).json).toMatchObject({
        code: 107,
        msg: `host veth ${veth} is not attached to bridge loom0`,
      });
    });

    it('undoes every step of a failed ADD: veth, IPAM allocation, masquerade element', async () => {
      const pod = await newPod();
      // A route via a gateway outside the pod subnet fails in the pod, after everything else ran.
      const cfg = config(
        { ipMasq: true },
        { routes: [{ dst: '198.51.100.0/24', gw: '192.0.2.77' }] },
      );
      const outcome = await call('ADD', pod, 'c-rollback', cfg);
      expect(outcome.exitCode).toBe(1);
      expect(outcome.json).toMatchObject({
        code: 103,
        msg: expect.stringContaining(`cannot configure eth0 in netns ${netnsPath(pod)}`),
      });
      expect(await podLink(pod)).toBeUndefined();
      expect((await hostLinks()).filter((l) => l.ifname.startsWith('veth'))).toEqual([]);
      expect(allocations()).toEqual([]);
      expect(await masqElements()).toEqual([]);
    });

    it('masquerades pod traffic leaving the pod subnet (ipMasq) and stops when the pod is deleted', async () => {
      const pod = await newPod();
      const outside = await newPod();
      // host (192.0.2.1) <-> outside (192.0.2.2); outside has no route back to the pods, so only
      // masqueraded packets get an answer.
      await f.host.runner.run({
        tool: 'ip',
        args: ['link', 'add', 'up0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', outside.name],
      });
      await f.host.runner.run({ tool: 'ip', args: ['addr', 'add', '192.0.2.1/24', 'dev', 'up0'] });
      await f.host.runner.run({ tool: 'ip', args: ['link', 'set', 'up0', 'up'] });
      await outside.runner.run({
        tool: 'ip',
        args: ['addr', 'add', '192.0.2.2/24', 'dev', 'eth0'],
      });
      await outside.runner.run({ tool: 'ip', args: ['link', 'set', 'eth0', 'up'] });

      await addOk(pod, 'c-masq', config({ ipMasq: true }));
      expect(await masqElements()).toEqual(['10.244.1.2 c-masq/eth0']);
      await ping(pod, '192.0.2.2');

      await addOk(await newPod(), 'c-plain', config({ ipMasq: false }));
      expect(await masqElements()).toEqual(['10.244.1.2 c-masq/eth0']);
      expect((await call('DEL', pod, 'c-masq', config({ ipMasq: true }))).exitCode).toBe(0);
      expect(await masqElements()).toEqual([]);
    });

    it('exhausts a range with a clear error (102), reports it in STATUS (50), recovers after DEL', async () => {
      const cfg = config({}, { ranges: [[{ subnet: '10.244.9.0/29' }]] });
      for (let i = 0; i < 5; i++) await addOk(await newPod(), `c-full-${i}`, cfg);
      const last = await newPod();
      const outcome = await call('ADD', last, 'c-full-5', cfg);
      expect(outcome.json).toMatchObject({
        code: 102,
        msg: `no free address in range set 0 (10.244.9.0/29 10.244.9.1-10.244.9.6) of network ${NETWORK}: all 5 allocatable addresses are in use`,
      });
      expect(await podLink(last)).toBeUndefined();
      expect((await hostLinks()).filter((l) => l.ifname.startsWith('veth'))).toHaveLength(5);
      expect((await call('STATUS', undefined, 'x', cfg)).json).toMatchObject({ code: 50 });

      expect((await call('DEL', undefined, 'c-full-2', cfg)).exitCode).toBe(0);
      expect(await call('STATUS', undefined, 'x', cfg)).toMatchObject({ exitCode: 0, stdout: '' });
      expect((await addOk(last, 'c-full-5', cfg)).ips[0].address).toBe('10.244.9.4/29');
    });

    it('GC releases every allocation and masquerade element not in cni.dev/valid-attachments', async () => {
      const cfg = config({ ipMasq: true });
      for (const cid of ['c-gc-1', 'c-gc-2', 'c-gc-3', 'c-gc-4'])
        await addOk(await newPod(), cid, cfg);
      const gc = await call('GC', undefined, 'unused', {
        ...cfg,
        'cni.dev/valid-attachments': [
          { containerID: 'c-gc-2', ifname: 'eth0' },
          { containerID: 'c-gc-4', ifname: 'eth0' },
        ],
      });
      expect(gc, gc.stdout).toMatchObject({ exitCode: 0, stdout: '' });
      expect(new Set(allocations().map((r) => r.container_id))).toEqual(
        new Set(['c-gc-2', 'c-gc-4']),
      );
      expect((await masqElements()).map((e) => e.split(' ')[1])).toEqual([
        'c-gc-2/eth0',
        'c-gc-4/eth0',
      ]);
      expect((await call('GC', undefined, 'unused', cfg)).json).toMatchObject({ code: 7 });
    });
  },
);

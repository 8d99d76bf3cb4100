import { setTimeout as sleep } from 'node:timers/promises';
import type { TestNetns } from '@loom-net/core/testing';
import { netnsSkipReason } from '@loom-net/core/testing';
import { describe, expect, it } from 'vitest';
import { useCniFixture } from './cni-fixture.ts';

describe.skipIf(netnsSkipReason() !== undefined)(
  'loom-cni under parallel calls and killed processes',
  () => {
    const f = useCniFixture();
    const { newPod, config, call, start, addOk, podLink, allocations, masqElements, hostVeths } = f;

    it('serves 50 parallel ADDs with distinct addresses and intact state, then 50 parallel DELs', async () => {
      const many = await Promise.all(Array.from({ length: 50 }, () => newPod()));
      const adds = await Promise.all(
        many.map((pod, i) => call('ADD', pod, `c-par-${i}`, config({ ipMasq: true }))),
      );
      for (const outcome of adds)
        expect(outcome, outcome.stdout + outcome.stderr).toMatchObject({ exitCode: 0 });
      const v4 = adds.map((o) => o.json!.ips[0].address as string);
      const v6 = adds.map((o) => o.json!.ips[1].address as string);
      expect(new Set(v4).size).toBe(50);
      expect(new Set(v6).size).toBe(50);
      const rows = allocations();
      expect(rows).toHaveLength(100);
      expect(new Set(rows.map((r) => `${r.container_id}/${r.ifname}`)).size).toBe(50);
      expect(await masqElements()).toHaveLength(50);
      // Each pod really holds the address its result names, and reaches the others.
      const links = await Promise.all(many.map((pod) => podLink(pod)));
      for (const [i, link] of links.entries()) {
        expect(link!.addr_info.map((a) => `${a.local}/${a.prefixlen}`)).toContain(v4[i]);
      }
      await f.ping(many[0]!, v4[49]!.split('/')[0]!);

      const dels = await Promise.all(
        many.map((pod, i) => call('DEL', pod, `c-par-${i}`, config({ ipMasq: true }))),
      );
      for (const outcome of dels) expect(outcome, outcome.stdout).toMatchObject({ exitCode: 0 });
      expect(allocations()).toEqual([]);
      expect(await masqElements()).toEqual([]);
      expect(await hostVeths()).toEqual([]);
    }, 180_000);

    it('recovers from kill -9 at any point of ADD: DEL, ADD and GC all work afterwards', async () => {
      const cfg = config({ ipMasq: true });
      // Spread over the whole call: before Node is up, during IPAM, during the ip batches.
      const delays = [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 120];
      const live: Array<{ pod: TestNetns; cid: string }> = [];
      const abandoned: TestNetns[] = [];
      let killed = 0;
      for (const [i, delay] of delays.entries()) {
        const pod = await newPod();
        const cid = `c-kill-${i}`;
        const { child, done } = start('ADD', pod, cid, cfg);
        await sleep(delay);
        child.kill('SIGKILL');
        if ((await done).signal === 'SIGKILL') killed++;
        if (i % 3 === 2) {
          // A pod whose runtime died too: never DELeted, its namespace removed; GC must clean up.
          abandoned.push(pod);
          continue;
        }
        // As a runtime does after a failed ADD: DEL, then ADD again.
        const del = await call('DEL', pod, cid, cfg);
        expect(del, del.stdout).toMatchObject({ exitCode: 0 });
        expect(await podLink(pod)).toBeUndefined();
        await addOk(pod, cid, cfg);
        live.push({ pod, cid });
      }
      expect(killed).toBeGreaterThan(0);
      for (const pod of abandoned) await pod.cleanup();

      const gc = await call('GC', undefined, 'unused', {
        ...cfg,
        'cni.dev/valid-attachments': live.map(({ cid }) => ({ containerID: cid, ifname: 'eth0' })),
      });
      expect(gc, gc.stdout).toMatchObject({ exitCode: 0 });

      const rows = allocations();
      expect(rows).toHaveLength(live.length * 2);
      expect(new Set(rows.map((r) => r.container_id))).toEqual(new Set(live.map((l) => l.cid)));
      expect((await masqElements()).map((e) => e.split(' ')[1]).sort()).toEqual(
        live.map((l) => `${l.cid}/eth0`).sort(),
      );
      expect(await hostVeths()).toHaveLength(live.length);
      // Every live pod is configured as its allocation says, and can reach the next one.
      for (const { pod, cid } of live) {
        const held = rows.filter((r) => r.container_id === cid).map((r) => r.address);
        const link = await podLink(pod);
        expect(link!.addr_info.map((a) => a.local)).toEqual(expect.arrayContaining(held));
      }
      const first = rows.find((r) => r.container_id === live[1]!.cid && !r.address.includes(':'))!;
      await f.ping(live[0]!.pod, first.address);
    }, 120_000);
  },
);

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  conntrackFlush,
  createCommandRunner,
  ipBatch,
  ipJson,
  isKernelCommandError,
  netnsExists,
  nftApply,
  nftJson,
  sysctlGet,
  sysctlSet,
} from '../../src/kernel/index.ts';
import type { TestNetns } from '../../src/testing/index.ts';
import { canUseNetns, createTestNetns, kernelSuiteTitle } from '../../src/testing/index.ts';

interface IpAddress {
  ifname: string;
  addr_info: Array<{ family: string; local: string; prefixlen: number }>;
}

describe.skipIf(!canUseNetns())(kernelSuiteTitle('kernel runner in throwaway netns'), () => {
  const runner = createCommandRunner({ timeoutMs: 10_000 });
  let left: TestNetns;
  let right: TestNetns;

  beforeAll(async () => {
    left = await createTestNetns('loom-t-left');
    right = await createTestNetns('loom-t-right');
  });

  afterAll(async () => {
    await left?.cleanup();
    await right?.cleanup();
    expect(netnsExists(left.name)).toBe(false);
  });

  it('creates namespaces with lo up', async () => {
    expect(netnsExists(left.name)).toBe(true);
    const [lo] = await ipJson<Array<{ flags: string[] }>>(
      runner,
      ['link', 'show', 'lo'],
      left.name,
    );
    expect(lo?.flags).toContain('UP');
  });

  it('connects two namespaces with a veth pair and reads the addresses back', async () => {
    await ipBatch(
      runner,
      [
        `link add loom-l type veth peer name loom-r netns ${right.name}`,
        'addr add 192.0.2.1/24 dev loom-l',
        'link set loom-l up',
      ],
      left.name,
    );
    await ipBatch(runner, ['addr add 192.0.2.2/24 dev loom-r', 'link set loom-r up'], right.name);
    const [l] = await ipJson<IpAddress[]>(runner, ['addr', 'show', 'dev', 'loom-l'], left.name);
    const [r] = await ipJson<IpAddress[]>(runner, ['addr', 'show', 'dev', 'loom-r'], right.name);
    expect(l?.addr_info.filter((a) => a.family === 'inet')).toMatchObject([
      { local: '192.0.2.1', prefixlen: 24 },
    ]);
    expect(r?.addr_info.filter((a) => a.family === 'inet')).toMatchObject([
      { local: '192.0.2.2', prefixlen: 24 },
    ]);
    await left.exec('busybox', ['ping', '-c', '1', '-W', '2', '192.0.2.2']);
  });

  it('reads an empty listing as []', async () => {
    expect(await ipJson(runner, ['neigh', 'show', 'dev', 'lo'], left.name)).toEqual([]);
  });

  it('stops a batch at the first failing line, names that line, and reports `exists`', async () => {
    const lines = [
      'route add 198.51.100.0/24 via 192.0.2.2',
      'route add 198.51.100.0/24 via 192.0.2.2',
      'route add 203.0.113.0/24 via 192.0.2.2',
    ];
    const error = await ipBatch(runner, lines, left.name).catch((e: unknown) => e);
    expect(isKernelCommandError(error, 'exists')).toBe(true);
    expect((error as Error).message).toBe(
      `ip -n ${left.name} route add 198.51.100.0/24 via 192.0.2.2 failed in netns ${left.name}: File exists`,
    );
    const routes = await ipJson<Array<{ dst: string }>>(runner, ['route', 'show'], left.name);
    expect(routes.map((r) => r.dst)).toContain('198.51.100.0/24');
    expect(routes.map((r) => r.dst)).not.toContain('203.0.113.0/24');
  });

  it('reports a gateway the kernel cannot reach as invalid', async () => {
    const error = await ipBatch(runner, ['route add 10.9.0.0/24 via 10.1.0.2'], left.name).catch(
      (e: unknown) => e,
    );
    expect(isKernelCommandError(error, 'invalid')).toBe(true);
    expect((error as Error).message).toBe(
      `ip -n ${left.name} route add 10.9.0.0/24 via 10.1.0.2 failed in netns ${left.name}: Nexthop has invalid gateway`,
    );
  });

  it('applies an nft ruleset atomically and reads it back as JSON', async () => {
    const ruleset = [
      'table inet loom-test {',
      '  chain input {',
      '    type filter hook input priority 0; policy accept;',
      '    tcp dport 9 counter drop',
      '  }',
      '}',
    ].join('\n');
    await nftApply(runner, ruleset, left.name);
    const entries = await nftJson<Array<Record<string, { name?: string }>>>(
      runner,
      ['list', 'table', 'inet', 'loom-test'],
      left.name,
    );
    expect(entries.map((e) => Object.keys(e)[0])).toEqual(['table', 'chain', 'rule']);
    expect(entries[1]?.chain?.name).toBe('input');
    expect(await nftJson(runner, ['list', 'ruleset'], right.name)).toEqual([]);
  });

  it('rejects a bad ruleset as a whole, leaving the previous one in place', async () => {
    const error = await nftApply(
      runner,
      'flush table inet loom-test\ntable inet loom-test { bogus }\n',
      left.name,
    ).catch((e: unknown) => e);
    expect(isKernelCommandError(error, 'invalid')).toBe(true);
    expect((error as Error).message).toMatch(
      /^nsenter --net=\/var\/run\/netns\/loom-t-left-\w+ nft -f - failed in netns loom-t-left-\w+: syntax error/,
    );
    const entries = await nftJson<unknown[]>(
      runner,
      ['list', 'table', 'inet', 'loom-test'],
      left.name,
    );
    expect(entries).toHaveLength(3);
  });

  it('sets a sysctl inside the netns only', async () => {
    const rootBefore = await sysctlGet(runner, 'net.ipv4.ip_forward');
    const target = rootBefore === '1' ? '0' : '1';
    await sysctlSet(runner, 'net.ipv4.ip_forward', target, left.name);
    expect(await sysctlGet(runner, 'net.ipv4.ip_forward', left.name)).toBe(target);
    expect(await sysctlGet(runner, 'net.ipv4.ip_forward')).toBe(rootBefore);
  });

  it('flushes the conntrack entries a filter matches, then all, then none without error', async () => {
    // A namespace tracks connections only once one of its rules needs conntrack.
    await nftApply(
      runner,
      'table inet loom-ct {\n  chain out {\n    type filter hook output priority 0;\n    ct state new counter\n  }\n}\n',
      right.name,
    );
    await right.exec('bash', [
      '-c',
      'echo a > /dev/udp/127.0.0.53/53; echo b > /dev/udp/127.0.0.54/53',
    ]);
    // The original direction's destination of each UDP entry of `conntrack -L`.
    const tracked = async () => {
      const { stdout } = await runner.run({
        tool: 'conntrack',
        args: ['-L', '-p', 'udp'],
        netns: right.name,
      });
      return stdout
        .split('\n')
        .flatMap((line) => /^udp\s.*?\bdst=(\S+)/.exec(line)?.[1] ?? [])
        .sort();
    };
    expect(await tracked()).toEqual(['127.0.0.53', '127.0.0.54']);
    await conntrackFlush(runner, ['-p', 'udp', '--orig-dst', '127.0.0.53'], right.name);
    expect(await tracked()).toEqual(['127.0.0.54']);
    await conntrackFlush(runner, [], right.name);
    expect(await tracked()).toEqual([]);
    // Nothing left to match: conntrack exits 1 ("0 flow entries have been deleted"), a success here.
    await conntrackFlush(runner, [], right.name);
    await conntrackFlush(runner, ['-p', 'udp', '--orig-dst', '192.0.2.53'], right.name);
    expect(await tracked()).toEqual([]);
  });

  it('fails clearly in a namespace that does not exist', async () => {
    const error = await nftApply(runner, 'table inet loom-x {}\n', 'loom-t-missing').catch(
      (e: unknown) => e,
    );
    expect(isKernelCommandError(error, 'not-found')).toBe(true);
    expect((error as Error).message).toBe(
      'nsenter --net=/var/run/netns/loom-t-missing nft -f - failed in netns loom-t-missing: netns loom-t-missing does not exist',
    );
  });
});

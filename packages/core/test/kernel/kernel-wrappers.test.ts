import { describe, expect, it } from 'vitest';
import {
  addNetns,
  conntrackFlush,
  createRecordingRunner,
  deleteNetns,
  ipBatch,
  ipJson,
  isKernelCommandError,
  nftApply,
  nftJson,
  sysctlGet,
  sysctlSet,
} from '../../src/kernel/index.ts';

describe('ipBatch', () => {
  it('sends every line to one `ip -batch -` in the netns', async () => {
    const runner = createRecordingRunner();
    await ipBatch(runner, ['link set lo up', 'addr add 10.1.0.1/24 dev lo'], 'loom-t-a');
    expect(runner.commands).toEqual([
      {
        tool: 'ip',
        args: ['-batch', '-'],
        netns: 'loom-t-a',
        stdin: 'link set lo up\naddr add 10.1.0.1/24 dev lo\n',
      },
    ]);
  });

  it('runs nothing for no lines', async () => {
    const runner = createRecordingRunner();
    await ipBatch(runner, []);
    expect(runner.commands).toEqual([]);
  });

  it('rejects a line with a newline, which would smuggle in another command', async () => {
    const runner = createRecordingRunner();
    await expect(ipBatch(runner, ['link set lo up\nlink del eth0'])).rejects.toThrow(/newline/);
    expect(runner.commands).toEqual([]);
  });

  it('names the failing line, not `-batch -`', async () => {
    const runner = createRecordingRunner([
      {
        match: 'ip -batch',
        exitCode: 1,
        stderr: 'Error: Nexthop has invalid gateway.\nCommand failed -:2\n',
      },
    ]);
    const lines = ['addr add 10.1.0.1/24 dev lo', 'route add 10.9.0.0/24 via 10.1.0.2'];
    const error = await ipBatch(runner, lines, 'loom-t-x').catch((e: unknown) => e);
    expect(isKernelCommandError(error, 'invalid')).toBe(true);
    expect((error as Error).message).toBe(
      'ip -n loom-t-x route add 10.9.0.0/24 via 10.1.0.2 failed in netns loom-t-x: Nexthop has invalid gateway',
    );
  });
});

describe('ipJson', () => {
  it('parses the output of `ip -json`', async () => {
    const runner = createRecordingRunner([
      { match: 'ip -json route show', stdout: '[{"dst":"10.9.0.0/24","gateway":"10.1.0.2"}]\n' },
    ]);
    const routes = await ipJson<Array<{ dst: string }>>(runner, ['route', 'show'], 'loom-t-a');
    expect(routes).toEqual([{ dst: '10.9.0.0/24', gateway: '10.1.0.2' }]);
    expect(runner.commands[0]).toMatchObject({
      args: ['-json', 'route', 'show'],
      netns: 'loom-t-a',
    });
  });

  it('reads empty output as an empty list', async () => {
    const runner = createRecordingRunner([{ match: 'ip -json', stdout: '\n' }]);
    expect(await ipJson(runner, ['neigh', 'show'])).toEqual([]);
  });

  it('reports unparsable output as an invalid result of the command', async () => {
    const runner = createRecordingRunner([{ match: 'ip -json', stdout: '[{"dst":' }]);
    const error = await ipJson(runner, ['route', 'show']).catch((e: unknown) => e);
    expect(isKernelCommandError(error, 'invalid')).toBe(true);
    expect((error as Error).message).toMatch(
      /^ip -json route show failed: cannot parse its JSON output/,
    );
  });
});

describe('nft', () => {
  it('applies a ruleset as one `nft -f -` transaction', async () => {
    const runner = createRecordingRunner();
    const ruleset = 'table inet loom {\n  chain c { type filter hook input priority 0; }\n}\n';
    await nftApply(runner, ruleset, 'loom-t-a');
    expect(runner.commands).toEqual([
      { tool: 'nft', args: ['-f', '-'], netns: 'loom-t-a', stdin: ruleset },
    ]);
  });

  it('returns the entries of {"nftables": […]} without metainfo', async () => {
    const stdout = JSON.stringify({
      nftables: [
        { metainfo: { version: '1.0.6', json_schema_version: 1 } },
        { table: { family: 'inet', name: 'loom', handle: 1 } },
      ],
    });
    const runner = createRecordingRunner([{ match: 'nft -j list ruleset', stdout }]);
    expect(await nftJson(runner, ['list', 'ruleset'])).toEqual([
      { table: { family: 'inet', name: 'loom', handle: 1 } },
    ]);
  });

  it('rejects JSON that is not an nft document', async () => {
    const runner = createRecordingRunner([{ match: 'nft -j', stdout: '{"tables":[]}' }]);
    await expect(nftJson(runner, ['list', 'tables'])).rejects.toThrow(/no "nftables" array/);
  });
});

describe('sysctl', () => {
  it('writes with -w key=value and reads with -n, trimmed', async () => {
    const runner = createRecordingRunner([{ match: 'sysctl -n', stdout: '1\n' }]);
    await sysctlSet(runner, 'net.ipv4.ip_forward', '1', 'loom-t-a');
    expect(await sysctlGet(runner, 'net.ipv4.ip_forward', 'loom-t-a')).toBe('1');
    expect(runner.lines()).toEqual([
      'sysctl -q -w net.ipv4.ip_forward=1',
      'sysctl -n net.ipv4.ip_forward',
    ]);
  });

  it.each(['', 'net.ipv4.ip_forward=1', 'net ipv4'])('rejects the key %j', async (key) => {
    const runner = createRecordingRunner();
    await expect(sysctlSet(runner, key, '1')).rejects.toThrow(/invalid sysctl key/);
  });
});

describe('conntrackFlush', () => {
  it('treats "0 flow entries have been deleted" as done', async () => {
    const runner = createRecordingRunner([
      {
        match: 'conntrack -D',
        exitCode: 1,
        stderr: 'conntrack v1.4.7 (conntrack-tools): 0 flow entries have been deleted.\n',
      },
    ]);
    await conntrackFlush(runner, ['-p', 'udp', '--orig-dst', '10.96.0.10'], 'loom-t-a');
    expect(runner.lines()).toEqual(['conntrack -D -p udp --orig-dst 10.96.0.10']);
  });

  it('still fails on other errors', async () => {
    const runner = createRecordingRunner([
      {
        match: 'conntrack',
        exitCode: 1,
        stderr: 'conntrack v1.4.7 (conntrack-tools): Operation not permitted\n',
      },
    ]);
    const error = await conntrackFlush(runner, []).catch((e: unknown) => e);
    expect(isKernelCommandError(error, 'permission')).toBe(true);
  });
});

describe('addNetns / deleteNetns', () => {
  it('are idempotent: an existing or missing namespace is not an error', async () => {
    const runner = createRecordingRunner([
      {
        match: 'ip netns add',
        exitCode: 1,
        stderr: 'Cannot create namespace file "/run/netns/loom-a": File exists\n',
      },
      {
        match: 'ip netns del',
        exitCode: 1,
        stderr: 'Cannot remove namespace file "/run/netns/loom-a": No such file or directory\n',
      },
    ]);
    await addNetns(runner, 'loom-a');
    await deleteNetns(runner, 'loom-a');
    expect(runner.lines()).toEqual(['ip netns add loom-a', 'ip netns del loom-a']);
  });

  it('pass other failures on', async () => {
    const runner = createRecordingRunner([
      {
        match: 'ip netns add',
        exitCode: 1,
        stderr: 'mount --make-shared /run/netns failed: Operation not permitted\n',
      },
    ]);
    await expect(addNetns(runner, 'loom-a')).rejects.toThrow(/Operation not permitted/);
  });
});

describe('createRecordingRunner', () => {
  it('answers a response only `times` times, then falls through to the next match', async () => {
    const runner = createRecordingRunner([
      { match: /^ip -json link/, stdout: '[1]', times: 1 },
      { match: (c) => c.tool === 'ip', stdout: '[2]' },
    ]);
    expect(await ipJson(runner, ['link', 'show'])).toEqual([1]);
    expect(await ipJson(runner, ['link', 'show'])).toEqual([2]);
    expect(runner.commands).toHaveLength(2);
  });
});

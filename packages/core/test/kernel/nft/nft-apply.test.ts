import { describe, expect, it } from 'vitest';
import {
  applyNftTransaction,
  createNftApplier,
  createNftTransaction,
  createRecordingRunner,
  isKernelCommandError,
  nftErrorLine,
} from '../../../src/kernel/index.ts';

const table = { family: 'inet', name: 'loom-t' } as const;

describe('applyNftTransaction', () => {
  it('runs the whole transaction as one `nft -f -` in the netns', async () => {
    const runner = createRecordingRunner();
    const tx = createNftTransaction(table).add({ kind: 'table' }).add({ kind: 'chain', name: 'c' });
    await applyNftTransaction(runner, tx, 'loom-t-a');
    expect(runner.commands).toEqual([
      {
        tool: 'nft',
        args: ['-f', '-'],
        netns: 'loom-t-a',
        stdin: 'add table inet loom-t\nadd chain inet loom-t c\n',
      },
    ]);
  });

  it('runs nothing for an empty transaction', async () => {
    const runner = createRecordingRunner();
    await createNftApplier(runner, '/proc/1/ns/net').apply(createNftTransaction(table));
    expect(runner.commands).toEqual([]);
  });

  it('names the operation nft refused, keeping the reason', async () => {
    const stderr = [
      '/dev/stdin:2:24-30: Error: Could not process rule: No such file or directory',
      'add rule inet loom-t c jump svc-x',
      '                       ^^^^^^^',
    ].join('\n');
    const runner = createRecordingRunner([{ match: 'nft -f -', exitCode: 1, stderr }]);
    const tx = createNftTransaction(table)
      .add({ kind: 'chain', name: 'c' })
      .add({ kind: 'rule', chain: 'c', rule: 'jump svc-x' });
    const error = await applyNftTransaction(runner, tx, 'loom-t-a').catch((e: unknown) => e);
    expect(isKernelCommandError(error, 'not-found')).toBe(true);
    expect(nftErrorLine(error)).toBe(2);
    expect((error as Error).message).toBe(
      'nsenter --net=/var/run/netns/loom-t-a nft -f - failed in netns loom-t-a: Could not process rule: No such file or directory (input line 2): add rule inet loom-t c jump svc-x',
    );
  });

  it('passes on errors that point at no line as they are', async () => {
    const runner = createRecordingRunner([
      { match: 'nft', exitCode: 1, stderr: 'netlink: Error: set is not a map' },
    ]);
    const error = await applyNftTransaction(
      runner,
      createNftTransaction(table).add({ kind: 'table' }),
    ).catch((e: unknown) => e);
    expect(nftErrorLine(error)).toBeUndefined();
    expect((error as Error).message).toBe('nft -f - failed: set is not a map');
  });
});

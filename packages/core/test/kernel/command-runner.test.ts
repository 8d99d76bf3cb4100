import { describe, expect, it } from 'vitest';
import {
  createCommandRunner,
  ipJson,
  isKernelCommandError,
  sysctlGet,
} from '../../src/kernel/index.ts';

// Read-only commands in the test's own namespace and failures in a namespace that does not
// exist: real processes, no root, nothing changed. Both ways of running a command behave alike.
describe.each([{ blocking: false }, { blocking: true }])(
  'createCommandRunner (blocking: $blocking)',
  ({ blocking }) => {
    const runner = createCommandRunner({ timeoutMs: 5_000, blocking });

    it('runs a tool and returns its output', async () => {
      const links = await ipJson<Array<{ ifname: string }>>(runner, ['link', 'show', 'lo']);
      expect(links.map((l) => l.ifname)).toEqual(['lo']);
    });

    it.each([
      { name: 'ip -n', run: () => ipJson(runner, ['link'], 'loom-t-missing') },
      { name: 'nsenter', run: () => sysctlGet(runner, 'net.ipv4.ip_forward', 'loom-t-missing') },
    ])('says plainly that the netns does not exist ($name)', async ({ run }) => {
      const error = await run().catch((e: unknown) => e);
      expect(isKernelCommandError(error, 'not-found')).toBe(true);
      expect((error as Error).message).toMatch(
        /failed in netns loom-t-missing: netns loom-t-missing does not exist$/,
      );
    });

    it('kills a command that outlives the timeout', async () => {
      const quick = createCommandRunner({ timeoutMs: 200, blocking });
      const started = Date.now();
      const error = await quick
        .run({ tool: 'ip', args: ['monitor', 'link'] })
        .catch((e: unknown) => e);
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(isKernelCommandError(error)).toBe(true);
      expect(error).toMatchObject({
        exitCode: null,
        message: 'ip monitor link failed: timed out after 200 ms',
      });
    });

    it('turns a non-zero exit into a KernelCommandError with stderr', async () => {
      const error = await runner
        .run({ tool: 'ip', args: ['link', 'show', 'loom-nope0'] })
        .catch((e: unknown) => e);
      expect(error).toMatchObject({
        reason: 'not-found',
        exitCode: 1,
        command: 'ip link show loom-nope0',
        stderr: 'Device "loom-nope0" does not exist.\n',
      });
    });

    it('feeds stdin to the tool', async () => {
      const { stdout } = await runner.run({
        tool: 'ip',
        args: ['-json', '-batch', '-'],
        stdin: 'link show lo\nlink show lo\n',
      });
      expect(stdout.trim().split('\n')).toHaveLength(2);
    });
  },
);

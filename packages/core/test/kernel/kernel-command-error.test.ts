import { describe, expect, it } from 'vitest';
import type { KernelErrorReason } from '../../src/kernel/index.ts';
import {
  classifyStderr,
  isKernelCommandError,
  KernelCommandError,
  summarizeStderr,
} from '../../src/kernel/index.ts';

// stderr as iproute2 6.1, nftables 1.0.6, conntrack 1.4.7 and procps print it.
describe('classifyStderr / summarizeStderr', () => {
  it.each<{ stderr: string; reason: KernelErrorReason; summary: string }>([
    { stderr: 'RTNETLINK answers: File exists\n', reason: 'exists', summary: 'File exists' },
    {
      stderr: 'Cannot create namespace file "/run/netns/loom-a": File exists\n',
      reason: 'exists',
      summary: 'Cannot create namespace file "/run/netns/loom-a": File exists',
    },
    {
      stderr: 'RTNETLINK answers: No such process\n',
      reason: 'not-found',
      summary: 'No such process',
    },
    {
      stderr: 'Cannot find device "loom0"\n',
      reason: 'not-found',
      summary: 'Cannot find device "loom0"',
    },
    {
      stderr: 'Device "nope" does not exist.\n',
      reason: 'not-found',
      summary: 'Device "nope" does not exist',
    },
    {
      stderr:
        'Error: Could not process rule: No such file or directory\ndelete table inet nope\n                  ^^^^\n',
      reason: 'not-found',
      summary: 'Could not process rule: No such file or directory',
    },
    {
      stderr: 'sysctl: cannot stat /proc/sys/net/ipv4/nope: No such file or directory\n',
      reason: 'not-found',
      summary: 'cannot stat /proc/sys/net/ipv4/nope: No such file or directory',
    },
    {
      stderr: 'RTNETLINK answers: Operation not permitted\n',
      reason: 'permission',
      summary: 'Operation not permitted',
    },
    {
      stderr: 'RTNETLINK answers: Device or resource busy\n',
      reason: 'busy',
      summary: 'Device or resource busy',
    },
    {
      stderr: 'Error: Nexthop has invalid gateway.\nCommand failed -:3\n',
      reason: 'invalid',
      summary: 'Nexthop has invalid gateway',
    },
    {
      stderr:
        "/dev/stdin:1:70-70: Error: syntax error, unexpected '}'\ntable inet loom { bogus }\n      ^\n",
      reason: 'invalid',
      summary: "syntax error, unexpected '}' (input line 1)",
    },
    {
      stderr: 'RTNETLINK answers: Invalid argument\n',
      reason: 'invalid',
      summary: 'Invalid argument',
    },
    { stderr: 'something odd happened\n', reason: 'unknown', summary: 'something odd happened' },
  ])('$stderr → $reason', ({ stderr, reason, summary }) => {
    expect(classifyStderr(stderr)).toBe(reason);
    expect(summarizeStderr(stderr)).toBe(summary);
  });
});

describe('KernelCommandError', () => {
  it('names the command, the netns and the kernel message', () => {
    const error = new KernelCommandError(
      { tool: 'ip', args: ['route', 'add', '10.9.0.0/24', 'via', '10.1.0.2'], netns: 'loom-t-x' },
      { stderr: 'Error: Nexthop has invalid gateway.\n', exitCode: 2 },
    );
    expect(error.message).toBe(
      'ip -n loom-t-x route add 10.9.0.0/24 via 10.1.0.2 failed in netns loom-t-x: Nexthop has invalid gateway',
    );
    expect(error).toMatchObject({
      command: 'ip -n loom-t-x route add 10.9.0.0/24 via 10.1.0.2',
      netns: 'loom-t-x',
      exitCode: 2,
      reason: 'invalid',
      code: 'LOOM_KERNEL_COMMAND_FAILED',
    });
  });

  it('leaves out "in netns" for the current namespace and falls back to the exit code', () => {
    const error = new KernelCommandError(
      { tool: 'conntrack', args: ['-L'] },
      { stderr: '', exitCode: 3 },
    );
    expect(error.message).toBe('conntrack -L failed: exit code 3');
    expect(error.reason).toBe('unknown');
  });

  it('narrows with isKernelCommandError(error, reason)', () => {
    const error = new KernelCommandError(
      { tool: 'ip', args: [] },
      { stderr: 'File exists', exitCode: 2 },
    );
    expect(isKernelCommandError(error)).toBe(true);
    expect(isKernelCommandError(error, 'exists')).toBe(true);
    expect(isKernelCommandError(error, 'not-found')).toBe(false);
    expect(isKernelCommandError(new Error('File exists'))).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import type { KernelCommand } from '../../src/kernel/index.ts';
import { commandArgv, renderCommand } from '../../src/kernel/index.ts';

describe('commandArgv', () => {
  it.each<{ name: string; command: KernelCommand; argv: string[] }>([
    {
      name: 'ip in the current netns',
      command: { tool: 'ip', args: ['-json', 'link', 'show'] },
      argv: ['ip', '-json', 'link', 'show'],
    },
    {
      name: 'ip enters a netns with -n',
      command: { tool: 'ip', args: ['route', 'show'], netns: 'loom-node1' },
      argv: ['ip', '-n', 'loom-node1', 'route', 'show'],
    },
    {
      name: 'nft enters a netns with nsenter --net, not ip netns exec',
      command: { tool: 'nft', args: ['-f', '-'], netns: 'loom-node1' },
      argv: ['nsenter', '--net=/var/run/netns/loom-node1', 'nft', '-f', '-'],
    },
    {
      name: 'sysctl in a netns',
      command: { tool: 'sysctl', args: ['-n', 'net.ipv4.ip_forward'], netns: 'loom-x' },
      argv: ['nsenter', '--net=/var/run/netns/loom-x', 'sysctl', '-n', 'net.ipv4.ip_forward'],
    },
    {
      name: 'ip enters a namespace given by path with nsenter (ip -n takes names only)',
      command: { tool: 'ip', args: ['link', 'show'], netns: '/proc/4242/ns/net' },
      argv: ['nsenter', '--net=/proc/4242/ns/net', 'ip', 'link', 'show'],
    },
    {
      name: 'nft in a namespace given by path',
      command: { tool: 'nft', args: ['-j', 'list', 'ruleset'], netns: '/proc/4242/ns/net' },
      argv: ['nsenter', '--net=/proc/4242/ns/net', 'nft', '-j', 'list', 'ruleset'],
    },
    {
      name: 'conntrack in the current netns',
      command: { tool: 'conntrack', args: ['-D', '-p', 'udp'] },
      argv: ['conntrack', '-D', '-p', 'udp'],
    },
  ])('$name', ({ command, argv }) => {
    expect(commandArgv(command)).toEqual(argv);
  });

  it.each(['../etc', 'a/b', '', '.', '..', 'x y', '-n'])('rejects the netns name %j', (netns) => {
    expect(() => commandArgv({ tool: 'nft', args: [], netns })).toThrow(/invalid netns name/);
    expect(() => commandArgv({ tool: 'ip', args: [], netns })).toThrow(/invalid netns name/);
  });
});

describe('renderCommand', () => {
  it('renders a line a person can paste into a shell', () => {
    const command: KernelCommand = {
      tool: 'nft',
      args: ['add', 'rule', 'inet', 'loom', 'c', 'meta l4proto tcp', 'comment "it\'s"'],
      netns: 'loom-t-1',
    };
    expect(renderCommand(command)).toBe(
      `nsenter --net=/var/run/netns/loom-t-1 nft add rule inet loom c 'meta l4proto tcp' 'comment "it'\\''s"'`,
    );
  });
});

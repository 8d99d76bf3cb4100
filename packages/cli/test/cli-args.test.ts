import { describe, expect, it } from 'vitest';
import { parseCliArgs } from '../src/cli-args.ts';

describe('parseCliArgs', () => {
  it.each([
    { argv: [], command: { kind: 'help' } },
    { argv: ['--help'], command: { kind: 'help' } },
    { argv: ['lab', 'up', '-h'], command: { kind: 'help' } },
    { argv: ['lab', 'up'], command: { kind: 'lab', verb: 'up', options: {}, args: [] } },
    {
      argv: ['lab', 'up', '--state-dir', '/tmp/l', '--prefix', 'loom-x-', '--api-port', '0'],
      command: {
        kind: 'lab',
        verb: 'up',
        options: { stateDir: '/tmp/l', prefix: 'loom-x-', hostApiPort: 0 },
        args: [],
      },
    },
    {
      argv: ['lab', '--state-dir=/tmp/l', 'down'],
      command: { kind: 'lab', verb: 'down', options: { stateDir: '/tmp/l' }, args: [] },
    },
    {
      argv: ['lab', 'kubectl', '--', 'get', 'pods', '-A'],
      command: { kind: 'lab', verb: 'kubectl', options: {}, args: ['get', 'pods', '-A'] },
    },
    {
      argv: ['lab', '--state-dir', '/tmp/l', 'kubectl', 'get', 'ns', '-o', 'name'],
      command: {
        kind: 'lab',
        verb: 'kubectl',
        options: { stateDir: '/tmp/l' },
        args: ['get', 'ns', '-o', 'name'],
      },
    },
    {
      argv: [
        'lab',
        'kubectl',
        '--state-dir=/tmp/l',
        '--prefix',
        'loom-a-',
        'get',
        '-n',
        'x',
        'pods',
      ],
      command: {
        kind: 'lab',
        verb: 'kubectl',
        options: { stateDir: '/tmp/l', prefix: 'loom-a-' },
        args: ['get', '-n', 'x', 'pods'],
      },
    },
    {
      argv: ['lab', 'kubectl', '--state-dir', '/tmp/l', '--', 'version'],
      command: {
        kind: 'lab',
        verb: 'kubectl',
        options: { stateDir: '/tmp/l' },
        args: ['version'],
      },
    },
    {
      argv: ['lab', 'up', '--nodes', '1', '--cni', 'none', '--pod-cidrs', 'controller-manager'],
      command: {
        kind: 'lab',
        verb: 'up',
        options: { nodes: 1, cni: 'none', podCidrs: 'controller-manager' },
        args: [],
      },
    },
    {
      argv: ['lab', 'up', '--no-install'],
      command: { kind: 'lab', verb: 'up', options: { cni: 'none' }, args: [] },
    },
    {
      argv: ['lab', 'up', '--nodes=4', '--remote-nodes=1', '--cni=loom', '--pod-cidrs=loom'],
      command: {
        kind: 'lab',
        verb: 'up',
        options: { nodes: 4, remoteNodes: 1, cni: 'loom', podCidrs: 'loom' },
        args: [],
      },
    },
    {
      argv: ['lab', 'exec', 'node1', '--', 'ip', '-br', 'addr'],
      command: {
        kind: 'lab',
        verb: 'exec',
        options: {},
        args: ['ip', '-br', 'addr'],
        host: 'node1',
      },
    },
    {
      argv: ['lab', 'exec', '--state-dir', '/tmp/l', 'default/web-0', 'curl', '-s', 'http://x'],
      command: {
        kind: 'lab',
        verb: 'exec',
        options: { stateDir: '/tmp/l' },
        args: ['curl', '-s', 'http://x'],
        host: 'default/web-0',
      },
    },
    {
      argv: ['lab', '--prefix', 'loom-b-', 'exec', 'node2', '--', 'sh', '-c', 'ls -l'],
      command: {
        kind: 'lab',
        verb: 'exec',
        options: { prefix: 'loom-b-' },
        args: ['sh', '-c', 'ls -l'],
        host: 'node2',
      },
    },
  ])('parses $argv', ({ argv, command }) => {
    expect(parseCliArgs(argv)).toEqual(command);
  });

  it.each([
    { argv: ['deploy'], error: 'unknown command "deploy" (try: loom help)' },
    { argv: ['lab'], error: 'loom lab needs a command: build, up, status, down, kubectl, exec' },
    {
      argv: ['lab', 'start'],
      error: 'unknown lab command "start" (one of: build, up, status, down, kubectl, exec)',
    },
    { argv: ['lab', 'exec'], error: 'lab exec needs a target: a node (node1) or NAMESPACE/POD' },
    { argv: ['lab', 'exec', 'node1'], error: 'lab exec node1 needs a command' },
    {
      argv: ['lab', 'up', '--nodes', 'three'],
      error: 'invalid --nodes "three": expected a node count (0-200)',
    },
    {
      argv: ['lab', 'up', '--cni', 'flannel'],
      error: 'invalid --cni "flannel": expected one of loom, bridge, none',
    },
    {
      argv: ['lab', 'up', '--no-install', '--cni', 'bridge'],
      error: '--no-install leaves the nodes without a CNI: it contradicts --cni bridge',
    },
    {
      argv: ['lab', 'status', '--no-install'],
      error: '--no-install applies to lab up, not lab status',
    },
    {
      argv: ['lab', 'up', '--pod-cidrs', 'random'],
      error: 'invalid --pod-cidrs "random": expected one of lab, controller-manager, loom',
    },
    {
      argv: ['lab', 'up', '--remote-nodes', 'one'],
      error: 'invalid --remote-nodes "one": expected a node count (0-200)',
    },
    {
      argv: ['lab', 'down', '--remote-nodes', '0'],
      error: '--remote-nodes applies to lab up, not lab down',
    },
    { argv: ['lab', 'status', '--nodes', '2'], error: '--nodes applies to lab up, not lab status' },
    { argv: ['lab', 'up', 'now'], error: 'unexpected argument "now" after lab up' },
    { argv: ['lab', 'status', '--', 'x'], error: 'lab status takes no arguments after "--"' },
    {
      argv: ['lab', 'up', '--api-port', 'http'],
      error: 'invalid --api-port "http": expected a TCP port (0-65535)',
    },
    { argv: ['lab', 'up', '--api-port', '70000'], error: 'invalid --api-port "70000"' },
    { argv: ['lab', 'up', '--verbose'], error: "Unknown option '--verbose'" },
    { argv: ['lab', 'up', '--state-dir'], error: "Option '--state-dir <value>' argument missing" },
  ])('rejects $argv', ({ argv, error }) => {
    expect(() => parseCliArgs(argv)).toThrow(error);
  });
});

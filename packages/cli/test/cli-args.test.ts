import { describe, expect, it } from 'vitest';
import { parseCliArgs } from '../src/cli-args.ts';

describe('parseCliArgs', () => {
  it.each([
    { argv: [], command: { kind: 'help' } },
    { argv: ['--help'], command: { kind: 'help' } },
    { argv: ['lab', 'up', '-h'], command: { kind: 'help' } },
    { argv: ['lab', 'up'], command: { kind: 'lab', verb: 'up', options: {}, kubectlArgs: [] } },
    {
      argv: ['lab', 'up', '--state-dir', '/tmp/l', '--prefix', 'loom-x-', '--api-port', '0'],
      command: {
        kind: 'lab',
        verb: 'up',
        options: { stateDir: '/tmp/l', prefix: 'loom-x-', hostApiPort: 0 },
        kubectlArgs: [],
      },
    },
    {
      argv: ['lab', '--state-dir=/tmp/l', 'down'],
      command: { kind: 'lab', verb: 'down', options: { stateDir: '/tmp/l' }, kubectlArgs: [] },
    },
    {
      argv: ['lab', 'kubectl', '--', 'get', 'pods', '-A'],
      command: { kind: 'lab', verb: 'kubectl', options: {}, kubectlArgs: ['get', 'pods', '-A'] },
    },
    {
      argv: ['lab', '--state-dir', '/tmp/l', 'kubectl', 'get', 'ns', '-o', 'name'],
      command: {
        kind: 'lab',
        verb: 'kubectl',
        options: { stateDir: '/tmp/l' },
        kubectlArgs: ['get', 'ns', '-o', 'name'],
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
        kubectlArgs: ['get', '-n', 'x', 'pods'],
      },
    },
    {
      argv: ['lab', 'kubectl', '--state-dir', '/tmp/l', '--', 'version'],
      command: {
        kind: 'lab',
        verb: 'kubectl',
        options: { stateDir: '/tmp/l' },
        kubectlArgs: ['version'],
      },
    },
  ])('parses $argv', ({ argv, command }) => {
    expect(parseCliArgs(argv)).toEqual(command);
  });

  it.each([
    { argv: ['install'], error: 'unknown command "install" (try: loom help)' },
    { argv: ['lab'], error: 'loom lab needs a command: build, up, status, down, kubectl' },
    {
      argv: ['lab', 'start'],
      error: 'unknown lab command "start" (one of: build, up, status, down, kubectl)',
    },
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

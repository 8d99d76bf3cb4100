import { describe, expect, it } from 'vitest';
import { parseEndpoint, parseProxyArgs, renderProxyArgs } from '../../src/bridge/proxy-route.ts';

describe('bridge arguments', () => {
  it('round-trips routes and the ready file', () => {
    const args = {
      routes: [
        {
          listen: { kind: 'unix' as const, path: '/var/lib/loom-lab/run/apiserver.sock' },
          connect: { kind: 'tcp' as const, host: '192.168.1.10', port: 6443 },
        },
        {
          listen: { kind: 'tcp' as const, host: '127.0.0.1', port: 0 },
          connect: { kind: 'unix' as const, path: '/x.sock' },
        },
      ],
      readyFile: '/var/lib/loom-lab/run/bridge.json',
    };
    const argv = renderProxyArgs(args);
    expect(argv.slice(0, 2)).toEqual([
      '--route',
      'unix:/var/lib/loom-lab/run/apiserver.sock=tcp:192.168.1.10:6443',
    ]);
    expect(parseProxyArgs(argv)).toEqual(args);
  });

  it.each([
    {
      argv: ['--route', 'unix:/a=tcp:1.2.3.4'],
      error: 'invalid endpoint "tcp:1.2.3.4": expected unix:/PATH or tcp:HOST:PORT',
    },
    { argv: ['--route', 'unix:/a'], error: 'invalid route "unix:/a": expected LISTEN=CONNECT' },
    { argv: ['--route'], error: 'missing value after --route' },
    { argv: ['--ready-file', '/r'], error: 'no --route given' },
    { argv: ['--route', 'unix:/a=unix:/b'], error: 'no --ready-file given' },
    { argv: ['--listen', 'x'], error: 'unknown argument --listen' },
  ])('rejects $argv', ({ argv, error }) => {
    expect(() => parseProxyArgs(argv)).toThrow(error);
  });

  it('rejects a port above 65535', () => {
    expect(() => parseEndpoint('tcp:127.0.0.1:70000')).toThrow(/invalid endpoint/);
  });
});

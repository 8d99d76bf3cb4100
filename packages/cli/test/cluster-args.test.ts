import { describe, expect, it } from 'vitest';
import { parseCliArgs } from '../src/cli-args.ts';

describe('loom install/status/uninstall flags', () => {
  it.each([
    { argv: ['install'], want: { kind: 'install', options: {} } },
    {
      argv: [
        'install',
        '--kubeconfig',
        'k',
        '--context',
        'c',
        '--components',
        'route-agent,cni',
        '--cluster-cidr',
        '10.244.0.0/16,fd00:10:244::/56',
        '--service-cidr=10.96.0.0/16',
        '--api-server',
        '192.168.1.10:6443',
        '--image',
        'r/loom:x',
        '--manifests',
        'deploy',
        '--timeout',
        '2m',
        '--dry-run',
      ],
      want: {
        kind: 'install',
        options: {
          kubeconfig: 'k',
          context: 'c',
          components: ['route-agent', 'cni'],
          clusterCidrs: ['10.244.0.0/16', 'fd00:10:244::/56'],
          serviceCidrs: ['10.96.0.0/16'],
          apiServer: { host: '192.168.1.10', port: 6443 },
          image: 'r/loom:x',
          manifests: 'deploy',
          timeoutMs: 120_000,
          dryRun: 'client',
        },
      },
    },
    {
      argv: ['install', '--dry-run=server', '--api-server', '[fd00::10]:443'],
      want: {
        kind: 'install',
        options: { dryRun: 'server', apiServer: { host: 'fd00::10', port: 443 } },
      },
    },
    { argv: ['status', '-o', 'json'], want: { kind: 'status', options: {}, output: 'json' } },
    {
      argv: ['uninstall', '--dry-run', '--keep-node-state', '--timeout', '90s'],
      want: {
        kind: 'uninstall',
        options: { dryRun: true, keepNodeState: true, timeoutMs: 90_000 },
      },
    },
    { argv: ['install', '--help'], want: { kind: 'help' } },
  ])('$argv', ({ argv, want }) => {
    expect(parseCliArgs(argv)).toEqual(want);
  });

  it.each([
    {
      argv: ['install', '--cluster-cidr', '10.244.1.5/16'],
      error: /invalid --cluster-cidr "10.244.1.5\/16": .*host bits are set/,
    },
    {
      argv: ['install', '--cluster-cidr', '10.244.0.0/16,10.245.0.0/16'],
      error:
        'invalid --cluster-cidr "10.244.0.0/16,10.245.0.0/16": at most one CIDR per family (dual-stack: IPv4,IPv6)',
    },
    {
      argv: ['install', '--api-server', 'host:99999'],
      error: /invalid --api-server "host:99999": expected HOST:PORT/,
    },
    {
      argv: ['install', '--timeout', 'soon'],
      error: /invalid --timeout: "soon" is not a duration/,
    },
    {
      argv: ['install', '--dry-run=everything'],
      error:
        'invalid --dry-run=everything: expected --dry-run, --dry-run=client or --dry-run=server',
    },
    { argv: ['install', '--components', ','], error: '--components needs at least one value' },
    {
      argv: ['status', '--output', 'yaml'],
      error: 'invalid --output "yaml": expected text or json',
    },
    { argv: ['uninstall', '--components', 'x'], error: /uninstall: Unknown option '--components'/ },
    { argv: ['status', 'now'], error: 'unexpected argument "now" after status' },
  ])('$argv: a usage error', ({ argv, error }) => {
    expect(() => parseCliArgs(argv)).toThrow(error);
  });
});

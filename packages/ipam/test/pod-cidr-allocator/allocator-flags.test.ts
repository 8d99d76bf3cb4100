import { formatCidr } from '@loom-net/core';
import { describe, expect, it } from 'vitest';
import { AllocatorFlagsError, parseAllocatorFlags } from '../../src/pod-cidr-allocator/index.ts';

function pools(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const parsed = parseAllocatorFlags(argv, env);
  if (parsed.help) throw new Error('unexpected --help');
  return parsed.config.pools.map((p) => `${formatCidr(p.cidr)} /${p.nodeMask}`);
}

describe('parseAllocatorFlags', () => {
  it('defaults to 10.244.0.0/16 in /24 blocks', () => {
    expect(pools([])).toEqual(['10.244.0.0/16 /24']);
  });

  it('reads a dual-stack plan from flags or LOOM_* variables', () => {
    const env = {
      LOOM_CLUSTER_CIDR: '10.244.0.0/16,fd00:10:244::/56',
      LOOM_SERVICE_CIDR: '10.96.0.0/12,fd00:10:96::/112',
    };
    expect(pools(['--node-cidr-mask-size-ipv4=25'], env)).toEqual([
      '10.244.0.0/16 /25',
      'fd00:10:244::/56 /64',
    ]);
  });

  it('names the flag of every problem', () => {
    try {
      parseAllocatorFlags(
        ['--cluster-cidr=10.96.0.0/16', '--node-cidr-mask-size-ipv4=8', '--health-port=x'],
        {},
      );
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(AllocatorFlagsError);
      expect((error as AllocatorFlagsError).problems).toEqual([
        '--health-port: "x" is not a port',
        '--service-cidr[0]: "10.96.0.0/12" overlaps podCidrs[0] 10.96.0.0/16',
        '--node-cidr-mask-size-ipv4: 8 must be longer than the /16 of the IPv4 pod CIDR 10.96.0.0/16',
      ]);
    }
  });
});

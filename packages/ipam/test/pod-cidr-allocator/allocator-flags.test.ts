import { fileURLToPath } from 'node:url';
import { checkReadmeFlags, formatCidr } from '@loom-net/core';
import { describe, expect, it } from 'vitest';
import {
  ALLOCATOR_FLAG_TABLE,
  AllocatorFlagsError,
  allocatorUsage,
  parseAllocatorFlags,
} from '../../src/pod-cidr-allocator/allocator-flags.ts';

const README = fileURLToPath(new URL('../../README.md', import.meta.url));

function config(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const parsed = parseAllocatorFlags(argv, env);
  if (parsed.help) throw new Error('unexpected --help');
  return parsed.config;
}

function pools(argv: string[], env: NodeJS.ProcessEnv = {}) {
  return config(argv, env).pools.map((p) => `${formatCidr(p.cidr)} /${p.nodeMask}`);
}

function problems(argv: string[], env: NodeJS.ProcessEnv = {}): readonly string[] {
  try {
    parseAllocatorFlags(argv, env);
  } catch (error) {
    if (error instanceof AllocatorFlagsError) return error.problems;
    throw error;
  }
  return [];
}

describe('parseAllocatorFlags', () => {
  it('defaults to 10.244.0.0/16 in /24 blocks, the kube-system Lease and port 9103', () => {
    expect(pools([])).toEqual(['10.244.0.0/16 /24']);
    expect(config([])).toMatchObject({
      leaseNamespace: 'kube-system',
      leaseName: 'loom-pod-cidr-allocator',
      healthPort: 9103,
      identity: expect.stringMatching(/^.+_[0-9a-f-]{36}$/),
    });
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

  it('names the flag of every problem, the address plan checked as a whole', () => {
    expect(
      problems(['--cluster-cidr=10.96.0.0/16', '--node-cidr-mask-size-ipv4=8', '--health-port=x']),
    ).toEqual([
      '--health-port (or LOOM_HEALTH_PORT): "x" is not a port (0-65535)',
      '--service-cidr[0]: "10.96.0.0/12" overlaps podCidrs[0] 10.96.0.0/16',
      '--node-cidr-mask-size-ipv4: 8 must be longer than the /16 of the IPv4 pod CIDR 10.96.0.0/16',
    ]);
  });

  it('leaves the plan unchecked while one of its flags does not read', () => {
    expect(problems(['--cluster-cidr=10.96.0.0/16', '--node-cidr-mask-size-ipv4=x'])).toEqual([
      '--node-cidr-mask-size-ipv4 (or LOOM_NODE_CIDR_MASK_SIZE_IPV4): "x" is not an integer in 0-32',
    ]);
  });

  it('documents every flag in --help', () => {
    expect(parseAllocatorFlags(['--help'], {})).toEqual({ help: true });
    for (const name of Object.keys(ALLOCATOR_FLAG_TABLE.flags)) {
      expect(allocatorUsage()).toContain(`\n  --${name} `);
    }
  });

  // To regenerate: LOOM_UPDATE_READMES=1 npx vitest run --project unit packages/ipam/test/pod-cidr-allocator/allocator-flags.test.ts
  it("keeps the README's flag table in step with the flags", async () => {
    const { expected, actual } = await checkReadmeFlags(README, ALLOCATOR_FLAG_TABLE);
    expect(actual).toBe(expected);
  });
});

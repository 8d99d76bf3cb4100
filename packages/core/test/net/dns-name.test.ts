import { describe, expect, it } from 'vitest';
import { dnsNameProblem, isDnsName } from '../../src/net/index.ts';

const labels63 = (n: number) => Array.from({ length: n }, () => 'a'.repeat(63)).join('.');

describe('dnsNameProblem', () => {
  it.each([
    { name: 'cluster.local', problem: undefined },
    { name: 'cluster.local.', problem: undefined },
    { name: 'k8s-1.example.org', problem: undefined },
    { name: 'local', problem: undefined },
    { name: `${labels63(3)}.${'a'.repeat(61)}`, problem: undefined },
    { name: `${labels63(3)}.${'a'.repeat(62)}`, problem: 'is 254 characters long, more than 253' },
    { name: '.', problem: 'is empty' },
    { name: '.cluster.local', problem: 'has an empty label' },
    { name: 'cluster.local..', problem: 'has an empty label' },
    {
      name: 'cluster-.local',
      problem: 'has label "cluster-", which is not lowercase letters, digits and inner hyphens',
    },
    {
      name: 'Cluster.local',
      problem: 'has label "Cluster", which is not lowercase letters, digits and inner hyphens',
    },
    {
      name: 'clu ster.local',
      problem: 'has label "clu ster", which is not lowercase letters, digits and inner hyphens',
    },
  ])('$name', ({ name, problem }) => {
    expect(dnsNameProblem(name)).toBe(problem);
    expect(isDnsName(name)).toBe(problem === undefined);
  });
});

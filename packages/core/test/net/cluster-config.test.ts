import { describe, expect, it } from 'vitest';
import {
  ClusterConfigError,
  checkClusterConfig,
  defaultClusterConfig,
  formatClusterConfig,
  formatIp,
  isNetError,
  kubernetesServiceIp,
  nodeMaskSize,
  parseClusterConfig,
} from '../../src/net/index.ts';
import { thrown } from './thrown.ts';

const dualStack = {
  podCidrs: ['10.244.0.0/16', 'fd00:10:244::/56'],
  serviceCidrs: ['10.96.0.0/12', 'fd00:10:96::/112'],
};

describe('parseClusterConfig accepts', () => {
  it.each([
    {
      name: 'nothing: the DESIGN.md defaults',
      input: undefined,
      config: {
        podCidrs: ['10.244.0.0/16'],
        serviceCidrs: ['10.96.0.0/12'],
        clusterDomain: 'cluster.local',
        dnsServiceIps: ['10.96.0.10'],
        nodeMaskSizes: { ipv4: 24 },
      },
    },
    {
      name: 'dual-stack, DNS at the 10th address of each service CIDR',
      input: dualStack,
      config: {
        ...dualStack,
        clusterDomain: 'cluster.local',
        dnsServiceIps: ['10.96.0.10', 'fd00:10:96::a'],
        nodeMaskSizes: { ipv4: 24, ipv6: 64 },
      },
    },
    {
      name: 'comma-separated lists, as the Kubernetes flags spell them, IPv6 primary',
      input: {
        podCidrs: 'fd00:10:244::/56, 10.244.0.0/16',
        serviceCidrs: 'FD00:10:96::/112,10.96.0.0/12',
        dnsServiceIps: 'fd00:10:96::53,10.96.0.53',
      },
      config: {
        podCidrs: ['fd00:10:244::/56', '10.244.0.0/16'],
        serviceCidrs: ['fd00:10:96::/112', '10.96.0.0/12'],
        clusterDomain: 'cluster.local',
        dnsServiceIps: ['fd00:10:96::53', '10.96.0.53'],
        nodeMaskSizes: { ipv4: 24, ipv6: 64 },
      },
    },
    {
      name: 'IPv6 only, with its own node mask and an absolute domain',
      input: {
        podCidrs: ['fd00:10:244::/48'],
        serviceCidrs: ['fd00:10:96::/108'],
        clusterDomain: 'k8s.example.org.',
        nodeMaskSizes: { ipv6: 64 },
      },
      config: {
        podCidrs: ['fd00:10:244::/48'],
        serviceCidrs: ['fd00:10:96::/108'],
        clusterDomain: 'k8s.example.org',
        dnsServiceIps: ['fd00:10:96::a'],
        nodeMaskSizes: { ipv6: 64 },
      },
    },
    {
      name: 'the lab plan with explicit values and nulls for defaults',
      input: {
        podCidrs: ['10.244.0.0/16'],
        serviceCidrs: null,
        clusterDomain: 'cluster.local',
        dnsServiceIps: ['10.96.0.10'],
        nodeMaskSizes: { ipv4: 26 },
      },
      config: {
        podCidrs: ['10.244.0.0/16'],
        serviceCidrs: ['10.96.0.0/12'],
        clusterDomain: 'cluster.local',
        dnsServiceIps: ['10.96.0.10'],
        nodeMaskSizes: { ipv4: 26 },
      },
    },
  ])('$name', ({ input, config }) => {
    const parsed = parseClusterConfig(input);
    expect(formatClusterConfig(parsed)).toEqual(config);
    // What formatClusterConfig writes parses back to the same config.
    expect(parseClusterConfig(formatClusterConfig(parsed))).toEqual(parsed);
  });

  it('exports the defaults, frozen, with the API service IP derivable', () => {
    expect(defaultClusterConfig).toEqual(parseClusterConfig({}));
    expect(Object.isFrozen(defaultClusterConfig)).toBe(true);
    expect(Object.isFrozen(defaultClusterConfig.podCidrs)).toBe(true);
    expect(Object.isFrozen(defaultClusterConfig.nodeMaskSizes)).toBe(true);
    expect(formatIp(kubernetesServiceIp(defaultClusterConfig.serviceCidrs[0]!))).toBe('10.96.0.1');
    expect(nodeMaskSize(defaultClusterConfig, 4)).toBe(24);
    expect(nodeMaskSize(defaultClusterConfig, 6)).toBeUndefined();
  });
});

describe('parseClusterConfig rejects', () => {
  const cases: { name: string; input: unknown; issues: string[] }[] = [
    {
      name: 'a bad service CIDR, naming path and value',
      input: { serviceCidrs: ['10.96.0.0/33'] },
      issues: [
        'clusterConfig.serviceCidrs[0]: "10.96.0.0/33" is not a valid CIDR: prefix length 33 is not in 0-32 for IPv4',
      ],
    },
    {
      name: 'several problems at once',
      input: {
        podCidrs: ['10.244.1.5/16'],
        serviceCidrs: ['10.96.0.0/12', 'nope'],
        clusterDomain: 'Cluster_Local',
        nodeMaskSizes: { ipv4: '24' },
        podCidr: '10.0.0.0/8',
      },
      issues: [
        'clusterConfig.podCidr: unknown field (expected one of podCidrs, serviceCidrs, clusterDomain, dnsServiceIps, nodeMaskSizes)',
        'clusterConfig.podCidrs[0]: "10.244.1.5/16" is not a valid CIDR: host bits are set (did you mean 10.244.0.0/16?)',
        'clusterConfig.serviceCidrs[1]: "nope" is not a valid CIDR: expected address/prefix',
        'clusterConfig.clusterDomain: "Cluster_Local" is not a valid DNS name: it has label "Cluster_Local", which is not lowercase letters, digits and inner hyphens',
        'clusterConfig.nodeMaskSizes.ipv4: "24" is not an integer prefix length',
      ],
    },
    {
      name: 'a non-object',
      input: 'pods=10.244.0.0/16',
      issues: ['clusterConfig: "pods=10.244.0.0/16" is not an object'],
    },
    { name: 'an array', input: [], issues: ['clusterConfig: [] is not an object'] },
    {
      name: 'a number where a list belongs',
      input: { podCidrs: 10 },
      issues: ['clusterConfig.podCidrs: 10 is not a list of CIDRs'],
    },
    {
      name: 'a non-string entry',
      input: { podCidrs: [{ cidr: '10.244.0.0/16' }] },
      issues: ['clusterConfig.podCidrs[0]: {"cidr":"10.244.0.0/16"} is not a CIDR string'],
    },
    {
      name: 'an empty list',
      input: { podCidrs: [] },
      issues: [
        'clusterConfig.podCidrs: [] has 0 entries; give one CIDR, or two for dual-stack (one IPv4, one IPv6)',
      ],
    },
    {
      name: 'three CIDRs',
      input: { serviceCidrs: ['10.96.0.0/12', 'fd00:10:96::/112', '10.200.0.0/16'] },
      issues: [
        'clusterConfig.serviceCidrs: ["10.96.0.0/12","fd00:10:96::/112","10.200.0.0/16"] has 3 entries; give one CIDR, or two for dual-stack (one IPv4, one IPv6)',
      ],
    },
    {
      name: 'two CIDRs of one family',
      input: { podCidrs: ['10.244.0.0/16', '10.245.0.0/16'] },
      issues: [
        'clusterConfig.podCidrs[1]: "10.245.0.0/16" is a second IPv4 CIDR; dual-stack takes one per family',
      ],
    },
    {
      name: 'dual-stack pods with the single-stack default services',
      input: { podCidrs: dualStack.podCidrs },
      issues: [
        'clusterConfig.serviceCidrs: ["10.96.0.0/12"] (the default) is IPv4 but podCidrs is IPv4 and IPv6; both need the same families',
      ],
    },
    {
      name: 'primary families that differ',
      input: { ...dualStack, serviceCidrs: ['fd00:10:96::/112', '10.96.0.0/12'] },
      issues: [
        'clusterConfig.serviceCidrs: ["fd00:10:96::/112","10.96.0.0/12"] puts IPv6 first but podCidrs puts IPv4 first; the primary family must match',
      ],
    },
    {
      name: 'pods inside the service CIDR',
      input: { podCidrs: ['10.100.0.0/16'], serviceCidrs: ['10.96.0.0/12'] },
      issues: ['clusterConfig.serviceCidrs[0]: "10.96.0.0/12" overlaps podCidrs[0] 10.100.0.0/16'],
    },
    {
      name: 'pods over the default service CIDR, blamed on the pods',
      input: { podCidrs: ['10.0.0.0/8'] },
      issues: [
        'clusterConfig.podCidrs[0]: "10.0.0.0/8" overlaps serviceCidrs[0] (default) 10.96.0.0/12',
      ],
    },
    {
      name: 'a DNS IP outside the service CIDR',
      input: { dnsServiceIps: ['10.0.0.10'] },
      issues: [
        'clusterConfig.dnsServiceIps[0]: "10.0.0.10" is not inside serviceCidrs[0] (default) 10.96.0.0/12',
      ],
    },
    {
      name: 'a DNS IP at the network address',
      input: { serviceCidrs: ['10.96.0.0/12'], dnsServiceIps: ['10.96.0.0'] },
      issues: [
        'clusterConfig.dnsServiceIps[0]: "10.96.0.0" is the network address of serviceCidrs[0] 10.96.0.0/12',
      ],
    },
    {
      name: 'a DNS IP at the broadcast address',
      input: { dnsServiceIps: '10.111.255.255' },
      issues: [
        'clusterConfig.dnsServiceIps[0]: "10.111.255.255" is the broadcast address of serviceCidrs[0] (default) 10.96.0.0/12',
      ],
    },
    {
      name: 'a DNS IP that is not an IP',
      input: { dnsServiceIps: ['10.96.0.0.10'] },
      issues: ['clusterConfig.dnsServiceIps[0]: "10.96.0.0.10" is not a valid IP address'],
    },
    {
      name: 'dual-stack with one DNS IP',
      input: { ...dualStack, dnsServiceIps: ['10.96.0.10'] },
      issues: [
        'clusterConfig.dnsServiceIps: ["10.96.0.10"] has no address for the IPv6 service CIDR fd00:10:96::/112',
      ],
    },
    {
      name: 'an IPv6 DNS IP in an IPv4 cluster',
      input: { dnsServiceIps: ['10.96.0.10', 'fd00:10:96::a'] },
      issues: [
        'clusterConfig.dnsServiceIps[1]: "fd00:10:96::a" has no IPv6 service CIDR to live in',
      ],
    },
    {
      name: 'a service CIDR too small for the default DNS IP',
      input: { serviceCidrs: ['10.96.0.0/29'] },
      issues: [
        'clusterConfig.dnsServiceIps: has no default: serviceCidrs[0] 10.96.0.0/29 is too small for the 10th address; set it',
      ],
    },
    {
      name: 'a node mask as short as the cluster prefix',
      input: { nodeMaskSizes: { ipv4: 16 } },
      issues: [
        'clusterConfig.nodeMaskSizes.ipv4: 16 must be longer than the /16 of the IPv4 pod CIDR 10.244.0.0/16',
      ],
    },
    {
      name: 'the default node mask on a /24 cluster',
      input: { podCidrs: ['10.244.0.0/24'] },
      issues: [
        'clusterConfig.nodeMaskSizes.ipv4: 24 (the default) must be longer than the /24 of the IPv4 pod CIDR 10.244.0.0/24',
      ],
    },
    {
      name: 'node masks too long for pods',
      input: { ...dualStack, nodeMaskSizes: { ipv4: 31, ipv6: 127 } },
      issues: [
        'clusterConfig.nodeMaskSizes.ipv4: 31 is longer than /30, which leaves a node no addresses for pods',
        'clusterConfig.nodeMaskSizes.ipv6: 127 is longer than /126, which leaves a node no addresses for pods',
      ],
    },
    {
      name: 'more node blocks than Kubernetes allows',
      input: { podCidrs: ['172.16.0.0/12'], nodeMaskSizes: { ipv4: 29 } },
      issues: [
        'clusterConfig.nodeMaskSizes.ipv4: 29 splits the IPv4 pod CIDR 172.16.0.0/12 into 2^17 node blocks; Kubernetes allows at most 2^16',
      ],
    },
    {
      name: 'a node mask for a family the pods lack, and an unknown key',
      input: { nodeMaskSizes: { ipv6: 64, ipv5: 1 } },
      issues: [
        'clusterConfig.nodeMaskSizes.ipv5: unknown field (expected ipv4 or ipv6)',
        'clusterConfig.nodeMaskSizes.ipv6: 64 is set but podCidrs (default) has no IPv6 CIDR',
      ],
    },
    {
      name: 'a node mask for a family the pods lack',
      input: { nodeMaskSizes: { ipv6: 64 } },
      issues: [
        'clusterConfig.nodeMaskSizes.ipv6: 64 is set but podCidrs (default) has no IPv6 CIDR',
      ],
    },
    {
      name: 'an empty domain',
      input: { clusterDomain: '' },
      issues: ['clusterConfig.clusterDomain: "" is not a valid DNS name: it is empty'],
    },
    {
      name: 'a domain with an empty label',
      input: { clusterDomain: 'cluster..local' },
      issues: [
        'clusterConfig.clusterDomain: "cluster..local" is not a valid DNS name: it has an empty label',
      ],
    },
    {
      name: 'a domain label starting with a hyphen',
      input: { clusterDomain: '-cluster.local' },
      issues: [
        'clusterConfig.clusterDomain: "-cluster.local" is not a valid DNS name: it has label "-cluster", which is not lowercase letters, digits and inner hyphens',
      ],
    },
    {
      name: 'a domain label of 64 characters',
      input: { clusterDomain: `${'a'.repeat(64)}.local` },
      issues: [
        `clusterConfig.clusterDomain: "${'a'.repeat(64)}.local" is not a valid DNS name: it has label "aaaaaaaaaaaaaaaa…" longer than 63 characters`,
      ],
    },
    {
      name: 'a non-string domain',
      input: { clusterDomain: 42 },
      issues: ['clusterConfig.clusterDomain: 42 is not a string'],
    },
  ];

  it.each(cases)('$name', ({ input, issues }) => {
    const result = checkClusterConfig(input);
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.issues.map((issue) => issue.message)).toEqual(issues);
    const error = thrown(() => parseClusterConfig(input));
    expect(error).toBeInstanceOf(ClusterConfigError);
    expect(isNetError(error, 'LOOM_INVALID_CLUSTER_CONFIG')).toBe(true);
  });
});

describe('ClusterConfigError', () => {
  it('carries each issue with its path and value, and lists them all in the message', () => {
    const error = thrown(() =>
      parseClusterConfig(
        { serviceCidrs: ['10.96.0.0/33'], clusterDomain: 'a..b' },
        { root: 'spec.network' },
      ),
    ) as ClusterConfigError;
    expect(error.issues.map(({ path, value }) => ({ path, value }))).toEqual([
      { path: 'spec.network.serviceCidrs[0]', value: '10.96.0.0/33' },
      { path: 'spec.network.clusterDomain', value: 'a..b' },
    ]);
    expect(error.message).toBe(
      [
        'invalid cluster config (2 problems):',
        '  spec.network.serviceCidrs[0]: "10.96.0.0/33" is not a valid CIDR: prefix length 33 is not in 0-32 for IPv4',
        '  spec.network.clusterDomain: "a..b" is not a valid DNS name: it has an empty label',
      ].join('\n'),
    );
  });

  it('puts a single issue on one line', () => {
    expect(() => parseClusterConfig({ podCidrs: 'x' })).toThrow(
      /^invalid cluster config: clusterConfig\.podCidrs\[0\]: "x" is not a valid CIDR: expected address\/prefix$/,
    );
  });
});

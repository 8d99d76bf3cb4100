import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  capabilityArgsFor,
  cniArgsFor,
  parseQuantity,
} from '../../src/runtime/cni-capabilities.ts';
import { cniVersionAtLeast, loadCniConfig, parseCniConfig } from '../../src/runtime/cni-config.ts';
import { buildPluginConfig } from '../../src/runtime/cni-network.ts';
import type { PodSandboxConfig } from '../../src/runtime/cri-types.ts';
import { podIpsFromResult } from '../../src/runtime/pod-ips.ts';

function sandboxConfig(extra: Partial<PodSandboxConfig> = {}): PodSandboxConfig {
  return {
    metadata: { name: 'web', namespace: 'shop', uid: 'u-1', attempt: 0 },
    hostname: 'web',
    log_directory: '',
    dns_config: null,
    port_mappings: [],
    labels: {},
    annotations: {},
    linux: null,
    ...extra,
  };
}

describe('loadCniConfig (go-cni: the first conf file by name)', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const write = (files: Record<string, string>) => {
    dir = mkdtempSync(join(tmpdir(), 'loom-cni-conf-'));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return dir;
  };
  const list = (name: string) =>
    JSON.stringify({ cniVersion: '1.0.0', name, plugins: [{ type: 'bridge' }] });

  it('is not initialized without a config', () => {
    expect(loadCniConfig(write({ 'README.md': 'x' }))).toEqual({
      ok: false,
      message: 'cni plugin not initialized',
    });
    expect(loadCniConfig('/nonexistent/loom')).toMatchObject({ ok: false });
  });

  it('takes the lexicographically first of .conf/.conflist/.json', () => {
    const loaded = loadCniConfig(write({ '20-b.conflist': list('b'), '10-a.conflist': list('a') }));
    expect(loaded).toMatchObject({ ok: true, list: { name: 'a', cniVersion: '1.0.0' } });
  });

  it('turns a single-plugin .conf into a list', () => {
    const conf = JSON.stringify({ cniVersion: '0.4.0', name: 'solo', type: 'ptp' });
    const loaded = loadCniConfig(write({ '05-solo.conf': conf }));
    expect(loaded).toMatchObject({ ok: true, list: { name: 'solo', plugins: [{ type: 'ptp' }] } });
  });

  it('reports an invalid first file instead of skipping it', () => {
    const loaded = loadCniConfig(write({ '01-bad.conflist': '{', '10-a.conflist': list('a') }));
    expect(loaded).toMatchObject({
      ok: false,
      message: expect.stringContaining('01-bad.conflist'),
    });
  });

  it.each([
    { text: '{"name":"x","plugins":[]}', why: /has no networks/ },
    { text: '{"plugins":[{"type":"bridge"}]}', why: /has no "name"/ },
    { text: '{"name":"x","plugins":[{}]}', why: /has no "type"/ },
  ])('rejects $text', ({ text, why }) => {
    expect(() => parseCniConfig(text, 'x.conflist')).toThrow(why);
  });

  it('ignores directories named like configs', () => {
    const path = write({});
    mkdirSync(join(path, '00-dir.conflist'));
    expect(loadCniConfig(path)).toMatchObject({ ok: false });
  });
});

describe('buildPluginConfig (libcni buildOneConfig)', () => {
  const rt = {
    containerId: 'c1',
    netns: '/var/run/netns/x',
    ifName: 'eth0',
    args: [] as [string, string][],
    capabilityArgs: { portMappings: [{ hostPort: 80 }], dns: { servers: ['192.0.2.1'] } },
  };

  it('injects name, version, prevResult and only the declared capabilities', () => {
    const plugin = { type: 'portmap', capabilities: { portMappings: true, bandwidth: true } };
    const config = buildPluginConfig({ name: 'net', cniVersion: '1.0.0' }, plugin, { ips: [] }, rt);
    expect(config).toEqual({
      ...plugin,
      name: 'net',
      cniVersion: '1.0.0',
      prevResult: { ips: [] },
      runtimeConfig: { portMappings: [{ hostPort: 80 }] },
    });
  });

  it('adds no runtimeConfig to a plugin without capabilities', () => {
    const config = buildPluginConfig(
      { name: 'net', cniVersion: '1.0.0' },
      { type: 'bridge' },
      undefined,
      rt,
    );
    expect(config).toEqual({ type: 'bridge', name: 'net', cniVersion: '1.0.0' });
  });
});

describe('capabilities and CNI_ARGS (containerd cniNamespaceOpts)', () => {
  it('sends the pod labels in the order containerd documents', () => {
    expect(cniArgsFor('sb1', sandboxConfig())).toEqual([
      ['IgnoreUnknown', '1'],
      ['K8S_POD_NAMESPACE', 'shop'],
      ['K8S_POD_NAME', 'web'],
      ['K8S_POD_INFRA_CONTAINER_ID', 'sb1'],
      ['K8S_POD_UID', 'u-1'],
    ]);
  });

  it('maps host ports, bandwidth, DNS and annotations', () => {
    const args = capabilityArgsFor(
      sandboxConfig({
        port_mappings: [
          { protocol: 'TCP', container_port: 8080, host_port: 80, host_ip: '' },
          { protocol: 'UDP', container_port: 53, host_port: 0, host_ip: '' },
        ],
        annotations: { 'kubernetes.io/ingress-bandwidth': '10M' },
        dns_config: { servers: ['192.0.2.10'], searches: ['shop.svc.cluster.local'], options: [] },
      }),
    );
    expect(args).toEqual({
      'io.kubernetes.cri.pod-annotations': { 'kubernetes.io/ingress-bandwidth': '10M' },
      portMappings: [{ hostPort: 80, containerPort: 8080, protocol: 'tcp' }],
      bandwidth: { ingressRate: 10_000_000, ingressBurst: 4294967295 },
      dns: { servers: ['192.0.2.10'], searches: ['shop.svc.cluster.local'], options: [] },
    });
  });

  it('rejects an unreasonable bandwidth as Kubernetes does', () => {
    const config = sandboxConfig({ annotations: { 'kubernetes.io/egress-bandwidth': '10' } });
    expect(() => capabilityArgsFor(config)).toThrow(/unreasonably small/);
  });

  it.each([
    { text: '10M', value: 10_000_000 },
    { text: '1Gi', value: 2 ** 30 },
    { text: '1.5k', value: 1500 },
    { text: '1e3', value: 1000 },
  ])('parses the quantity $text', ({ text, value }) => {
    expect(parseQuantity(text)).toBe(value);
  });
});

describe('podIpsFromResult', () => {
  it('takes the IPs on eth0, IPv4 first', () => {
    const result = {
      interfaces: [
        { name: 'cni0' },
        { name: 'veth1' },
        { name: 'eth0', sandbox: '/var/run/netns/x' },
      ],
      ips: [
        { address: '2001:db8::5/64', interface: 2 },
        { address: '198.51.100.5/24', interface: 2 },
        { address: '198.51.100.1/24', interface: 0 },
      ],
    };
    expect(podIpsFromResult(result)).toEqual(['198.51.100.5', '2001:db8::5']);
  });

  it('reads spec 0.2 results and IPs without an interface index', () => {
    expect(podIpsFromResult({ ip4: { ip: '192.0.2.9/24' } })).toEqual(['192.0.2.9']);
    expect(podIpsFromResult({ ips: [{ address: '192.0.2.7/24' }] })).toEqual(['192.0.2.7']);
  });
});

describe('cniVersionAtLeast', () => {
  it.each([
    ['1.0.0', '0.4.0', true],
    ['0.3.1', '0.4.0', false],
    ['1.1.0', '1.1.0', true],
    ['0.4.0', '1.1.0', false],
  ] as const)('%s ≥ %s is %s', (a, b, expected) => {
    expect(cniVersionAtLeast(a, b)).toBe(expected);
  });
});

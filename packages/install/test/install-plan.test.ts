import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { describeObject, type ManifestObject } from '../src/cluster/manifest-object.ts';
import { resolveClusterFacts } from '../src/discovery/cluster-discovery.ts';
import { nodePodCidrFactsFrom } from '../src/discovery/node-pod-cidr-source.ts';
import { planObjects } from '../src/install/install-loom.ts';
import {
  CONFIG_HASH_ANNOTATION,
  imageRepository,
  orderForApply,
  selectComponents,
  substitute,
} from '../src/install/install-plan.ts';
import { findManifestDir, parseManifests } from '../src/install/manifest-files.ts';

const fixtures = fileURLToPath(new URL('./fixtures/manifests', import.meta.url));
const install = () =>
  parseManifests(readFileSync(`${fixtures}/install.yaml`, 'utf8'), 'install.yaml');
const allocator = () =>
  parseManifests(
    readFileSync(`${fixtures}/install-pod-cidr-allocator.yaml`, 'utf8'),
    'allocator.yaml',
  );
const config = {
  'cluster-cidr': '10.244.0.0/16',
  'service-cidr': '10.96.0.0/16',
  'node-cidr-mask-size': '24',
};
const obj = (kind: string, name: string): ManifestObject => ({
  apiVersion: 'v1',
  kind,
  metadata: { name },
});

describe('apply order', () => {
  it('puts what others reference first and the workloads last, keeping the file order within a kind', () => {
    const objects = [
      obj('Deployment', 'd'),
      obj('DaemonSet', 'ds'),
      obj('ConfigMap', 'cm'),
      obj('RoleBinding', 'rb'),
      obj('ClusterRole', 'cr'),
      obj('ServiceAccount', 'sa2'),
      obj('ServiceAccount', 'sa1'),
      obj('CustomResourceDefinition', 'crd'),
      obj('Namespace', 'ns'),
    ];
    expect(orderForApply(objects).map((o) => o.metadata.name)).toEqual([
      'ns',
      'crd',
      'sa2',
      'sa1',
      'cr',
      'rb',
      'cm',
      'ds',
      'd',
    ]);
  });

  it('refuses a kind it cannot map to a URL, before applying anything', () => {
    expect(() =>
      orderForApply([
        obj('Namespace', 'ns'),
        { ...obj('Widget', 'w'), apiVersion: 'example.org/v1' },
      ]),
    ).toThrow(
      /cannot apply example.org\/v1\/Widget \(Widget w\): loom knows Namespace, CustomResourceDefinition/,
    );
  });
});

describe('substitution', () => {
  it('fills loom-config with the discovered values, replacing what the file had', () => {
    const out = substitute(install(), {
      config: { ...config, 'api-server-host': '192.168.1.10', 'api-server-port': '6443' },
    });
    expect(out.find((o) => o.metadata.name === 'loom-config')?.data).toEqual({
      'cluster-cidr': '10.244.0.0/16',
      'service-cidr': '10.96.0.0/16',
      'node-cidr-mask-size': '24',
      'api-server-host': '192.168.1.10',
      'api-server-port': '6443',
    });
  });

  it('drops api-server-host/port when none was found (the pods then use the Service)', () => {
    const withHost = substitute(install(), {
      config: { ...config, 'api-server-host': '198.51.100.1', 'api-server-port': '6443' },
    });
    const out = substitute(withHost, { config });
    expect(Object.keys(out.find((o) => o.metadata.name === 'loom-config')?.data as object)).toEqual(
      ['cluster-cidr', 'service-cidr', 'node-cidr-mask-size'],
    );
  });

  it("replaces Loom's image in containers and init containers, and leaves the input alone", () => {
    const input = install();
    const out = substitute(input, { config, image: 'registry.example.org/loom:dev' });
    const images = JSON.stringify(out.find((o) => o.kind === 'DaemonSet')).match(
      /"image":"[^"]*"/g,
    );
    expect(images).toEqual([
      '"image":"registry.example.org/loom:dev"',
      '"image":"registry.example.org/loom:dev"',
    ]);
    expect(JSON.stringify(input)).toContain('ghcr.io/loom-net/loom:0.1.0@sha256:');
  });

  it('puts the config hash on every pod template: a changed config rolls the daemons', () => {
    const hashes = (cfg: typeof config) =>
      substitute(install(), { config: cfg })
        .filter((o) => o.kind === 'DaemonSet')
        .map(
          (o) =>
            (
              o as unknown as {
                spec: { template: { metadata: { annotations: Record<string, string> } } };
              }
            ).spec.template.metadata.annotations[CONFIG_HASH_ANNOTATION],
        );
    const [first] = hashes(config);
    expect(first).toMatch(/^[0-9a-f]{16}$/);
    expect(hashes({ ...config })).toEqual([first]);
    expect(hashes({ ...config, 'cluster-cidr': '10.245.0.0/16' })).not.toEqual([first]);
  });

  it('fails without a loom-config to fill in', () => {
    expect(() => substitute([obj('Namespace', 'loom-system')], { config })).toThrow(
      'the manifests have no ConfigMap loom-system/loom-config to fill in',
    );
  });

  it.each([
    ['ghcr.io/loom-net/loom:0.1.0@sha256:abc', 'ghcr.io/loom-net/loom'],
    ['ghcr.io/loom-net/loom', 'ghcr.io/loom-net/loom'],
    ['localhost:5000/loom:dev', 'localhost:5000/loom'],
    ['localhost:5000/loom', 'localhost:5000/loom'],
  ])('the repository of %s is %s', (reference, repository) => {
    expect(imageRepository(reference)).toBe(repository);
  });
});

describe('components', () => {
  const all = () => [...install(), ...allocator()];
  it.each([
    { name: 'default: everything', components: undefined, want: 8 },
    { name: 'the base is always kept', components: ['pod-cidr-allocator'], want: 4 },
    { name: 'route-agent', components: ['route-agent'], want: 6 },
  ])('$name', ({ components, want }) => {
    expect(selectComponents(all(), components)).toHaveLength(want);
  });

  it('names the components there are when asked for one that is not', () => {
    expect(() => selectComponents(all(), ['dns'])).toThrow(
      'unknown component(s) dns: the manifests hold base, route-agent, pod-cidr-allocator (app.kubernetes.io/component)',
    );
  });
});

describe('manifest files', () => {
  it.each([
    { name: 'not YAML', text: 'a: [', error: /x.yaml is not YAML/ },
    { name: 'a scalar document', text: 'hello\n', error: 'x.yaml document 1 is not an object' },
    {
      name: 'missing fields',
      text: '---\n---\nkind: ConfigMap\n',
      error: 'x.yaml document 2 has no apiVersion, metadata.name',
    },
  ])('$name: a clear error', ({ text, error }) => {
    expect(() => parseManifests(text, 'x.yaml')).toThrow(error);
  });

  it('expands a List and skips empty documents', () => {
    const text =
      '---\napiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\n---\n';
    expect(parseManifests(text, 'x.yaml').map((o) => o.metadata.name)).toEqual(['a']);
  });

  it('--manifests must hold install.yaml', () => {
    expect(findManifestDir(fixtures)).toBe(fixtures);
    expect(() => findManifestDir('/nonexistent')).toThrow(
      '--manifests /nonexistent: no install.yaml in /nonexistent',
    );
  });
});

describe("the repository's rendered deploy/ files", () => {
  const deploy = fileURLToPath(new URL('../../../deploy', import.meta.url));
  const facts = resolveClusterFacts(
    { nodes: nodePodCidrFactsFrom([]) },
    { apiServer: { host: '192.168.1.10', port: 6443 } },
  );

  it('plan into known kinds, each object once, loom-config filled, the allocator only when asked', () => {
    const withAllocator = planObjects({ manifests: deploy }, facts, true);
    const names = withAllocator.map(describeObject);
    expect(new Set(names).size).toBe(names.length);
    expect(names.filter((n) => n === 'Namespace loom-system')).toHaveLength(1);
    expect(names).toContain('DaemonSet loom-system/loom-node');
    expect(names).toContain('Deployment loom-system/loom-pod-cidr-allocator');
    expect(withAllocator.find((o) => o.metadata.name === 'loom-config')?.data).toMatchObject({
      'api-server-host': '192.168.1.10',
      'api-server-port': '6443',
    });
    const without = planObjects({ manifests: deploy }, facts, false).map(describeObject);
    expect(without).not.toContain('Deployment loom-system/loom-pod-cidr-allocator');
    expect(without.at(-1)).toBe('DaemonSet loom-system/loom-node');
  });
});

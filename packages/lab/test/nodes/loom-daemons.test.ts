import { parseAllocatorFlags } from '@loom-net/ipam/pod-cidr-allocator';
import { parseAgentFlags } from '@loom-net/route-agent';
import { describe, expect, it } from 'vitest';
import { loomCheckout, packageDir } from '../../src/build/cni-plugins.ts';
import { collectionPath, loomRbacObjects } from '../../src/cluster/loom-rbac.ts';
import { resolveLabConfig } from '../../src/config/lab-config.ts';
import { podCidrAllocatorCommand, routeAgentCommand } from '../../src/nodes/loom-daemons.ts';

const config = resolveLabConfig({ stateDir: '/var/lib/loom-lab', prefix: 'loom-' }, {});

describe("Loom's daemons in the lab", () => {
  it('runs the route agent from its package bin, with what a DaemonSet pod would get', () => {
    const { file, args } = routeAgentCommand(config, { name: 'node2' });
    expect(file).toBe(process.execPath);
    expect(args[0]).toBe('--conditions=loom-source');
    expect(args[1]).toMatch(/\/packages\/route-agent\/src\/main\.ts$/);
    expect(args.slice(2)).toEqual([
      '--node-name=node2',
      '--kubeconfig=/var/lib/loom-lab/route-agent.kubeconfig',
      '--cni-plugin-dir=/var/lib/loom-lab/cni-plugins',
      '--cluster-cidr=10.244.0.0/16',
      '--health-port=9101',
    ]);
  });

  // The flags the lab writes must be ones the daemons accept: a typo would only show as a
  // node that never turns Ready.
  it('gives the route agent flags it accepts, with its own defaults for the CNI paths', () => {
    const parsed = parseAgentFlags(routeAgentCommand(config, { name: 'node2' }).args.slice(2), {});
    expect(parsed).toMatchObject({
      help: false,
      config: {
        nodeName: 'node2',
        mode: 'auto',
        cni: {
          confDir: '/etc/cni/net.d',
          binDir: '/opt/cni/bin',
          pluginDir: '/var/lib/loom-lab/cni-plugins',
        },
      },
    });
  });

  it('gives the podCIDR allocator flags it accepts, and a stable identity', () => {
    const { args } = podCidrAllocatorCommand(config);
    expect(args[1]).toMatch(/\/packages\/ipam\/src\/pod-cidr-allocator\/main\.ts$/);
    expect(parseAllocatorFlags(args.slice(2), {})).toMatchObject({
      help: false,
      config: {
        kubeconfig: '/var/lib/loom-lab/pod-cidr-allocator.kubeconfig',
        identity: 'loom-lab',
        healthPort: 9103,
        healthAddress: '127.0.0.1',
      },
    });
  });

  it('puts the state dir on both command lines (how the lab recognises its PIDs)', () => {
    for (const { args } of [
      routeAgentCommand(config, { name: 'node1' }),
      podCidrAllocatorCommand(config),
    ]) {
      expect(args.join(' ')).toContain('/var/lib/loom-lab/');
    }
  });

  it('finds the checkout to build loom-cni and loom-ipam in', () => {
    const root = loomCheckout();
    expect(root).toBeDefined();
    expect(packageDir('@loom-net/cni')).toBe(`${root}/packages/cni`);
    expect(packageDir('@loom-net/no-such-package')).toBeUndefined();
  });
});

describe("the RBAC of Loom's daemons", () => {
  const objects = loomRbacObjects();
  const find = (kind: string, name: string) =>
    objects.find((object) => object.kind === kind && object.metadata.name === name) as
      | (ReturnType<typeof loomRbacObjects>[number] & { rules?: unknown[]; subjects?: unknown[] })
      | undefined;

  it('lets the route agent only read Nodes', () => {
    expect(find('ClusterRole', 'loom:route-agent')?.rules).toEqual([
      { apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list', 'watch'] },
    ]);
    expect(find('ClusterRoleBinding', 'loom:route-agent')?.subjects).toEqual([
      { kind: 'ServiceAccount', name: 'loom-route-agent', namespace: 'kube-system' },
    ]);
  });

  it('lets the allocator hold its Lease only in kube-system', () => {
    expect(find('Role', 'loom:pod-cidr-allocator')).toMatchObject({
      metadata: { namespace: 'kube-system' },
      rules: [{ apiGroups: ['coordination.k8s.io'], resources: ['leases'] }],
    });
  });

  it.each([
    ['ServiceAccount', 'loom-route-agent', '/api/v1/namespaces/kube-system/serviceaccounts'],
    ['ClusterRole', 'loom:route-agent', '/apis/rbac.authorization.k8s.io/v1/clusterroles'],
    [
      'RoleBinding',
      'loom:pod-cidr-allocator',
      '/apis/rbac.authorization.k8s.io/v1/namespaces/kube-system/rolebindings',
    ],
  ])('creates the %s %s at %s', (kind, name, path) => {
    expect(collectionPath(find(kind, name)!)).toBe(path);
  });
});

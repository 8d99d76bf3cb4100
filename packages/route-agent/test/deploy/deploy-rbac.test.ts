import {
  createKubeClient,
  createLogger,
  createMetricsRegistry,
  type KubeClient,
  silentKubeLogger,
} from '@loom-net/core';
import {
  createFakeApiServer,
  type FakeApiServer,
  type FakeRequest,
  parseApiPath,
} from '@loom-net/core/testing';
import { createPodCidrAllocator, parseAllocatorFlags } from '@loom-net/ipam/pod-cidr-allocator';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRouteAgent, parseAgentFlags } from '../../src/index.ts';
import { type ManifestObject, objectOf, renderedObjects } from './deploy-objects.ts';

// "Least privilege", checked both ways: every (apiGroup, resource, verb, namespace) a
// ServiceAccount is granted in the rendered files must be one its daemon calls, and every
// call must be granted. The calls are not a list someone keeps: the daemons' real controllers
// run against core's fake API server, configured from their own container's env, through the
// paths that make requests, and the requests are recorded.

const install = renderedObjects('install.yaml');
const allocatorFile = renderedObjects('install-pod-cidr-allocator.yaml');
const everything = [...install, ...allocatorFile];

/** `verb group/resource` plus the namespace, or `*` where a ClusterRole grants it everywhere. */
type Permission = string;
const permission = (verb: string, group: string, resource: string, namespace = '*') =>
  `${verb} ${group || 'core'}/${resource} in ${namespace}`;

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

/** What the RBAC objects in `objects` grant `account` (loom-system/<account>). */
function grantsOf(objects: readonly ManifestObject[], account: string): Permission[] {
  const granted = new Set<Permission>();
  for (const binding of objects) {
    if (binding.kind !== 'ClusterRoleBinding' && binding.kind !== 'RoleBinding') continue;
    const subjects = binding.subjects as { kind: string; name: string; namespace: string }[];
    const bound = subjects.some(
      (s) => s.kind === 'ServiceAccount' && s.name === account && s.namespace === 'loom-system',
    );
    if (!bound) continue;
    const ref = binding.roleRef as { kind: string; name: string };
    const role = objects.find(
      (o) =>
        o.kind === ref.kind &&
        o.metadata.name === ref.name &&
        o.metadata.namespace === binding.metadata.namespace,
    );
    if (!role)
      throw new Error(`${binding.kind} ${binding.metadata.name}: no ${ref.kind} ${ref.name}`);
    const namespace = binding.kind === 'RoleBinding' ? binding.metadata.namespace : '*';
    for (const rule of role.rules as Rule[]) {
      for (const group of rule.apiGroups)
        for (const resource of rule.resources)
          for (const verb of rule.verbs) granted.add(permission(verb, group, resource, namespace));
    }
  }
  return [...granted].sort();
}

// Cluster-scoped resources the daemons touch; their requests carry no namespace.
const CLUSTER_SCOPED = new Set(['nodes']);

/** The RBAC verb of each recorded request, as the API server's authorizer would name it. */
function callsOf(requests: readonly FakeRequest[]): Permission[] {
  const calls = new Set<Permission>();
  for (const request of requests) {
    const target = parseApiPath(request.path);
    if (!target) throw new Error(`not an API path: ${request.path}`);
    const named = target.name !== undefined;
    const verb = {
      GET: named ? 'get' : request.watch ? 'watch' : 'list',
      POST: 'create',
      PUT: 'update',
      PATCH: 'patch',
      DELETE: named ? 'delete' : 'deletecollection',
    }[request.method];
    if (!verb) throw new Error(`unexpected ${request.method} ${request.path}`);
    const namespace = CLUSTER_SCOPED.has(target.plural) ? '*' : (target.namespace ?? '*');
    calls.add(permission(verb, target.group, target.plural, namespace));
  }
  return [...calls].sort();
}

type EnvVar = { name: string; value?: string; valueFrom?: Record<string, Record<string, string>> };

/** A container's env as the kubelet would give it: downward API and loom-config resolved. */
function podEnv(owner: ManifestObject, container: string, pod: Record<string, string>) {
  const spec = owner.spec as {
    template: { spec: { containers: { name: string; env: EnvVar[] }[] } };
  };
  const config = objectOf(everything, 'ConfigMap', 'loom-config').data as Record<string, string>;
  const env: NodeJS.ProcessEnv = {};
  const found = spec.template.spec.containers.find((c) => c.name === container);
  for (const variable of found?.env ?? []) {
    const from = variable.valueFrom;
    const value =
      variable.value ??
      (from?.fieldRef && pod[from.fieldRef.fieldPath ?? '']) ??
      (from?.configMapKeyRef && config[from.configMapKeyRef.key ?? '']);
    if (value !== undefined) env[variable.name] = value;
  }
  return env;
}

async function until(what: string, condition: () => boolean, timeoutMs = 10_000) {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

let api: FakeApiServer;
let client: KubeClient;
beforeEach(async () => {
  api = await createFakeApiServer();
  client = createKubeClient(api.kubeConfig());
});
afterEach(async () => {
  client.close();
  await api.close();
});

const node = (name: string, podCidrs: string[] = []) => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name },
  spec: podCidrs.length > 0 ? { podCIDR: podCidrs[0], podCIDRs: podCidrs } : {},
  status: { addresses: [{ type: 'InternalIP', address: '192.168.1.11' }] },
});

describe('ServiceAccount loom-node (route agent)', () => {
  it('is granted exactly what the agent calls', async () => {
    const daemonSet = objectOf(install, 'DaemonSet', 'loom-node');
    const env = podEnv(daemonSet, 'route-agent', { 'spec.nodeName': 'node1' });
    const parsed = parseAgentFlags(['--no-install-cni'], env);
    if (parsed.help) throw new Error('--help');
    const config = parsed.config;
    api.create('/api/v1/nodes', node('node1', ['10.244.1.0/24']));
    api.create('/api/v1/nodes', node('node2', ['10.244.2.0/24']));
    const agent = createRouteAgent({
      client,
      nodeName: config.nodeName,
      // No kernel here: every command fails and is retried. The API traffic (the Node
      // informer) does not depend on the kernel.
      runner: { run: () => Promise.reject(new Error('no kernel in this test')) },
      mode: config.mode,
      resyncMs: config.resyncMs,
      protocol: config.protocol,
      vxlan: config.vxlan,
      bridge: config.bridge,
      logger: createLogger({ component: 'route-agent', level: 'silent' }),
      metrics: createMetricsRegistry('loom_route_agent'),
    });
    await agent.start();
    api.create('/api/v1/nodes', node('node3', ['10.244.3.0/24']));
    await until('node3 through the watch', () => agent.nodes().some((n) => n.name === 'node3'));
    await agent.stop();

    // Received: what the agent called; expected: what install.yaml grants it.
    expect(callsOf(api.requests)).toEqual(grantsOf(install, 'loom-node'));
  });
});

describe('ServiceAccount loom-pod-cidr-allocator', () => {
  it('is granted exactly what the allocator calls, Lease and events included', async () => {
    const deployment = objectOf(allocatorFile, 'Deployment', 'loom-pod-cidr-allocator');
    const env = podEnv(deployment, 'pod-cidr-allocator', {
      'metadata.namespace': deployment.metadata.namespace ?? '',
      'metadata.name': 'loom-pod-cidr-allocator-7d9c-abcde',
    });
    const parsed = parseAllocatorFlags([], env);
    if (parsed.help) throw new Error('--help');
    const config = parsed.config;
    const pool = config.pools[0];
    if (!pool) throw new Error('no pool from loom-config');
    api.create('/api/v1/nodes', node('node1'));
    api.create('/api/v1/nodes', node('node2'));
    const allocator = createPodCidrAllocator({
      client,
      // One node's worth: node2 finds the range full, which records an event.
      pools: [{ cidr: pool.cidr, nodeMask: pool.cidr.prefix }],
      identity: config.identity,
      leaseNamespace: config.leaseNamespace,
      leaseName: config.leaseName,
      logger: silentKubeLogger,
      leaderElection: { leaseDurationSeconds: 2, renewDeadlineMs: 1000, retryPeriodMs: 100 },
    });
    allocator.start();
    const methods = (plural: string, method: string) =>
      api.requests.filter((r) => parseApiPath(r.path)?.plural === plural && r.method === method);
    await until('a podCIDR written', () => methods('nodes', 'PUT').length > 0);
    await until('the full range recorded', () => methods('events', 'POST').length > 0);
    await until('the Lease renewed', () => methods('leases', 'PUT').length > 0);
    await allocator.stop();

    expect(config.leaseNamespace).toBe('loom-system');
    expect(config.identity).toBe('loom-pod-cidr-allocator-7d9c-abcde');
    // Received: what the allocator called; expected: what its file grants it.
    expect(callsOf(api.requests)).toEqual(grantsOf(allocatorFile, 'loom-pod-cidr-allocator'));
  });
});

describe('the rendered RBAC', () => {
  it('binds only Loom ServiceAccounts, and nothing to loom-node in the allocator file', () => {
    expect(grantsOf(allocatorFile, 'loom-node')).toEqual([]);
    expect(grantsOf(install, 'loom-pod-cidr-allocator')).toEqual([]);
    const accounts = everything
      .filter((o) => o.kind === 'ServiceAccount')
      .map((o) => o.metadata.name);
    expect(accounts.sort()).toEqual(['loom-node', 'loom-pod-cidr-allocator']);
  });
});

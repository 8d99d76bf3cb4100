import { parseAllocatorFlags } from '@loom-net/ipam/pod-cidr-allocator';
import { describe, expect, it } from 'vitest';
import {
  AGENT_DEFAULTS,
  AGENT_FLAG_TABLE,
  CNI_INSTALL_FLAG_TABLE,
  parseAgentFlags,
} from '../../src/index.ts';
import { type ManifestObject, objectOf, renderedObjects } from './deploy-objects.ts';

const install = renderedObjects('install.yaml');
const allocator = renderedObjects('install-pod-cidr-allocator.yaml');
const IMAGE = /^ghcr\.io\/loom-net\/loom:0\.1\.0@sha256:[0-9a-f]{64}$/;

interface Container {
  name: string;
  image: string;
  command: string[];
  env?: { name: string; value?: string; valueFrom?: Record<string, Record<string, unknown>> }[];
  ports?: { name: string; containerPort: number; hostPort?: number }[];
  readinessProbe?: { httpGet: { path: string; port: string } };
  livenessProbe?: { httpGet: { path: string; port: string } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: {
    privileged?: boolean;
    allowPrivilegeEscalation?: boolean;
    capabilities?: { add?: string[]; drop?: string[] };
  };
  volumeMounts?: { name: string; mountPath: string }[];
}
interface PodSpec {
  hostNetwork?: boolean;
  dnsPolicy?: string;
  serviceAccountName?: string;
  priorityClassName?: string;
  tolerations?: Record<string, string>[];
  initContainers?: Container[];
  containers: Container[];
  volumes?: { name: string; hostPath?: { path: string } }[];
}
const podSpecOf = (o: ManifestObject) =>
  (o.spec as { template: { spec: PodSpec; metadata: { labels: Record<string, string> } } })
    .template;
const containers = (pod: PodSpec) => [...(pod.initContainers ?? []), ...pod.containers];
const envOf = (c: Container, name: string) => c.env?.find((e) => e.name === name);
const portOf = (c: Container, name: string) => c.ports?.find((p) => p.name === name)?.containerPort;

/** The container's literal env values (valueFrom ones are the cluster's, not the manifest's). */
function literalEnv(c: Container): NodeJS.ProcessEnv {
  return Object.fromEntries(
    (c.env ?? []).flatMap((e) => (e.value === undefined ? [] : [[e.name, e.value]])),
  );
}

/** The config the daemon's own flag parser makes of the container's command and env. */
function parsedConfig<Config>(
  c: Container,
  parse: (
    argv: string[],
    env: NodeJS.ProcessEnv,
  ) => { help: true } | { help: false; config: Config },
  env: NodeJS.ProcessEnv = {},
): Config {
  const parsed = parse(c.command.slice(1), { ...literalEnv(c), ...env });
  if (parsed.help) throw new Error('--help in a manifest');
  return parsed.config;
}

const daemonSet = podSpecOf(objectOf(install, 'DaemonSet', 'loom-node'));
const deployment = podSpecOf(objectOf(allocator, 'Deployment', 'loom-pod-cidr-allocator'));
function named(list: readonly Container[] | undefined, name: string): Container {
  const found = list?.find((c) => c.name === name);
  if (!found) throw new Error(`no container ${name}`);
  return found;
}
const agent = named(daemonSet.spec.containers, 'route-agent');
const installCni = named(daemonSet.spec.initContainers, 'install-cni');
const allocatorContainer = named(deployment.spec.containers, 'pod-cidr-allocator');
// NODE_NAME comes from the downward API; any name does for parsing.
const agentConfig = parsedConfig(agent, parseAgentFlags, { NODE_NAME: 'node1' });
const allocatorConfig = parsedConfig(allocatorContainer, parseAllocatorFlags);

describe('every rendered object', () => {
  it.each([
    ['install.yaml', install],
    ['install-pod-cidr-allocator.yaml', allocator],
  ] as const)(
    '%s: part-of loom, a component label, the version of its pinned images',
    (_file, objects) => {
      const images = (JSON.stringify(objects).match(/"image":"[^"]*"/g) ?? []).map(
        (image) => JSON.parse(`{${image}}`).image as string,
      );
      expect(images.length).toBeGreaterThan(0);
      for (const image of images) expect(image).toMatch(IMAGE);
      // What `loom status` shows as each workload's version: the images' tag.
      const version = images[0]!.split('@')[0]!.split(':').at(-1);
      for (const object of objects) {
        expect(object.metadata.labels, `${object.kind} ${object.metadata.name}`).toMatchObject({
          'app.kubernetes.io/part-of': 'loom',
          'app.kubernetes.io/component': expect.any(String),
          'app.kubernetes.io/version': version,
        });
      }
    },
  );

  it('loosens Pod Security on loom-system only', () => {
    for (const object of [...install, ...allocator]) {
      const psa = Object.keys(object.metadata.labels ?? {}).filter((l) =>
        l.startsWith('pod-security.kubernetes.io/'),
      );
      if (object.kind === 'Namespace' && object.metadata.name === 'loom-system') {
        expect(object.metadata.labels).toMatchObject({
          'pod-security.kubernetes.io/enforce': 'privileged',
          'pod-security.kubernetes.io/audit': 'privileged',
          'pod-security.kubernetes.io/warn': 'privileged',
        });
      } else {
        expect(psa, `${object.kind} ${object.metadata.name}`).toEqual([]);
      }
    }
    expect(install.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name)).toEqual([
      'loom-system',
    ]);
  });

  it('keeps namespaced objects in loom-system, but the events Role in default', () => {
    for (const object of [...install, ...allocator]) {
      if (object.metadata.namespace === undefined) continue;
      const expected = object.metadata.name.endsWith(':events') ? 'default' : 'loom-system';
      expect(object.metadata.namespace, `${object.kind} ${object.metadata.name}`).toBe(expected);
    }
  });
});

describe('DaemonSet loom-node', () => {
  it('runs on every node, in the host network, before anything else', () => {
    expect(daemonSet.spec).toMatchObject({
      hostNetwork: true,
      dnsPolicy: 'ClusterFirstWithHostNet',
      serviceAccountName: 'loom-node',
      priorityClassName: 'system-node-critical',
      tolerations: [{ operator: 'Exists' }],
    });
    expect(objectOf(install, 'DaemonSet', 'loom-node').spec).toMatchObject({
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } },
    });
  });

  it('installs the CNI executables first, into the host dir its flags name', () => {
    expect(installCni.command).toEqual([CNI_INSTALL_FLAG_TABLE.command]);
    const mount = installCni.volumeMounts?.find((m) => m.name === 'cni-bin-dir');
    expect(mount?.mountPath).toBe(envOf(installCni, 'LOOM_HOST_BIN_DIR')?.value);
    const volume = daemonSet.spec.volumes?.find((v) => v.name === 'cni-bin-dir');
    expect(volume?.hostPath?.path).toBe(envOf(installCni, 'LOOM_CNI_BIN_DIR')?.value);
    expect(volume?.hostPath?.path).toBe(AGENT_DEFAULTS.cniBinDir);
  });

  it('runs the route agent with its node name, cluster CIDR and no plugin copying', () => {
    expect(agent.command).toEqual([AGENT_FLAG_TABLE.command]);
    expect(envOf(agent, 'NODE_NAME')?.valueFrom).toEqual({
      fieldRef: { fieldPath: 'spec.nodeName' },
    });
    expect(envOf(agent, 'LOOM_CLUSTER_CIDR')?.valueFrom).toEqual({
      configMapKeyRef: { name: 'loom-config', key: 'cluster-cidr' },
    });
    expect(agentConfig.cni).toMatchObject({
      installPlugins: false,
      confDir: AGENT_DEFAULTS.cniConfDir,
    });
    const mount = agent.volumeMounts?.find((m) => m.mountPath === AGENT_DEFAULTS.cniConfDir);
    expect(mount).toBeDefined();
  });

  it('probes /readyz and /healthz on the port the agent binds', () => {
    const port = agentConfig.healthPort;
    expect(port).toBe(AGENT_DEFAULTS.healthPort);
    expect(portOf(agent, 'health')).toBe(port);
    expect(agent.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'health' });
    expect(agent.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'health' });
  });
});

describe('Deployment loom-pod-cidr-allocator', () => {
  it('runs two leader-elected replicas with the Lease in their own namespace', () => {
    expect(objectOf(allocator, 'Deployment', 'loom-pod-cidr-allocator').spec).toMatchObject({
      replicas: 2,
    });
    expect(allocatorContainer.command).toEqual(['loom-pod-cidr-allocator']);
    expect(envOf(allocatorContainer, 'LOOM_LEASE_NAMESPACE')?.valueFrom).toEqual({
      fieldRef: { fieldPath: 'metadata.namespace' },
    });
    expect(envOf(allocatorContainer, 'LOOM_IDENTITY')?.valueFrom).toEqual({
      fieldRef: { fieldPath: 'metadata.name' },
    });
  });

  it('runs before any CNI: host network, tolerating control-plane, not-ready, no network', () => {
    expect(deployment.spec.hostNetwork).toBe(true);
    expect(deployment.spec.tolerations?.map((t) => t.key)).toEqual(
      expect.arrayContaining([
        'node-role.kubernetes.io/control-plane',
        'node.kubernetes.io/not-ready',
        'node.kubernetes.io/network-unavailable',
      ]),
    );
  });

  it('probes the port it binds, declared as a host port so replicas never share a node', () => {
    const port = allocatorConfig.healthPort;
    expect(allocatorContainer.ports).toEqual([
      { name: 'health', containerPort: port, hostPort: port, protocol: 'TCP' },
    ]);
    expect(allocatorContainer.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'health' });
    expect(allocatorContainer.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'health' });
  });
});

describe('every container', () => {
  const all = [
    ...containers(daemonSet.spec).map((c) => ['loom-node', c] as const),
    ...containers(deployment.spec).map((c) => ['loom-pod-cidr-allocator', c] as const),
  ];

  it.each(all)(
    '%s/%s: not privileged, no escalation, only the capabilities it needs',
    (_owner, c) => {
      expect(c.securityContext?.privileged ?? false).toBe(false);
      expect(c.securityContext?.allowPrivilegeEscalation).toBe(false);
      expect(c.securityContext?.capabilities?.drop).toEqual(['ALL']);
      const wanted = c.name === 'route-agent' ? ['NET_ADMIN', 'NET_RAW'] : undefined;
      expect(c.securityContext?.capabilities?.add).toEqual(wanted);
    },
  );

  it.each(all)('%s/%s: memory requested and limited', (_owner, c) => {
    expect(c.resources?.requests?.memory).toMatch(/^\d+Mi$/);
    expect(c.resources?.limits?.memory).toMatch(/^\d+Mi$/);
    const mi = (text = '') => Number.parseInt(text, 10);
    expect(mi(c.resources?.limits?.memory)).toBeGreaterThanOrEqual(
      mi(c.resources?.requests?.memory),
    );
  });
});

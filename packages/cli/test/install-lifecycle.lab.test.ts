import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { contains, netnsPath, parseCidr, parseIp } from '@loom-net/core';
import { labDown, labExec, labSkipReason, labUp, runKubectl, type UpReport } from '@loom-net/lab';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/run-cli.ts';

const skip = labSkipReason();
const NODES = ['node1', 'node2', 'node3'] as const;
const AGNHOST = 'registry.k8s.io/e2e-test-images/agnhost:2.53';
const PODS_NAMESPACE = 'default';
const podName = (node: string) => `lifecycle-web-${node}`;

interface Lab {
  stateDir: string;
  prefix: string;
}

interface CliRun {
  code: number;
  out: string;
  err: string;
}

interface NodeObject {
  metadata: { name: string };
  spec: { podCIDR?: string };
  status: { conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}

interface PodObject {
  metadata: { name: string };
  spec: { nodeName?: string };
  status: { podIP?: string; conditions?: { type: string; status: string }[] };
}

/** One `loom …` command line, as a user runs it, with its output collected. */
async function loom(argv: string[]): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, {
    out: (text) => out.push(text),
    err: (text) => err.push(text),
    env: process.env,
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

async function kubectl(lab: Lab, args: string[], stdin?: string): Promise<string> {
  const result = await runKubectl(args, {
    ...lab,
    capture: true,
    ...(stdin !== undefined ? { stdin } : {}),
  });
  if (result.exitCode !== 0) throw new Error(`kubectl ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

async function onNode(lab: Lab, node: string, command: string[]): Promise<string> {
  const result = await labExec(node, command, { ...lab, capture: true, timeoutMs: 30_000 });
  if (result.exitCode !== 0) {
    throw new Error(`${command.join(' ')} on ${node} exited ${result.exitCode}: ${result.stderr}`);
  }
  return result.stdout;
}

async function nodeObjects(lab: Lab): Promise<NodeObject[]> {
  return (JSON.parse(await kubectl(lab, ['get', 'nodes', '-o', 'json'])) as { items: NodeObject[] })
    .items;
}

const readyCondition = (node: NodeObject) =>
  node.status.conditions?.find((condition) => condition.type === 'Ready');

/** What Loom may leave on a node: its routes, devices, nft tables and CNI files, as found there. */
async function loomTraces(lab: Lab, node: string): Promise<string[]> {
  const routes = (await onNode(lab, node, ['ip', 'route', 'show', 'proto', '76'])).trim();
  const links = await onNode(lab, node, ['ip', '-o', 'link', 'show']);
  const tables = await onNode(lab, node, ['nft', 'list', 'tables']);
  const files = await onNode(lab, node, [
    'sh',
    '-c',
    'for f in /etc/cni/net.d/10-loom.conflist /opt/cni/bin/loom-cni /opt/cni/bin/loom-ipam /opt/cni/bin/loom-node; do [ -e "$f" ] && echo "$f"; done; true',
  ]);
  return [
    ...(routes ? routes.split('\n').map((route) => `route ${route}`) : []),
    ...links
      .split('\n')
      .filter((line) => /^\d+: (loom\.vxlan|loom0)[:@]/.test(line))
      .map((line) => `link ${line.split(':')[1]?.trim()}`),
    ...tables
      .split('\n')
      .filter((line) => line.includes('loom'))
      .map((line) => line.trim()),
    ...files
      .split('\n')
      .filter(Boolean)
      .map((file) => `file ${file}`),
  ];
}

/** RSS of the route agents running in a node's network namespace (the loom-node pod's main). */
function routeAgentRss(netns: string): { pid: number; rssKb: number }[] {
  // A bind-mounted nsfs file: its inode is the one /proc/<pid>/ns/net names.
  const wanted = `net:[${statSync(netnsPath(netns), { bigint: true }).ino}]`;
  const found: { pid: number; rssKb: number }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (!cmdline.includes('/opt/loom/bin/loom-route-agent')) continue;
      if (readlinkSync(`/proc/${entry}/ns/net`) !== wanted) continue;
      const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${entry}/status`, 'utf8'))?.[1];
      found.push({ pid: Number(entry), rssKb: Number(rss) });
    } catch {
      // The process ended while we read it.
    }
  }
  return found;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/**
 * The issue's first "done when", as a user does it: a bare 3-node lab (`loom lab up
 * --no-install`), then `loom install`, `loom status` and `loom uninstall` against its
 * kubeconfig, with Loom's image from the archive the nodes' runtimes serve.
 */
describe.skipIf(skip)(
  `loom install, status and uninstall on a bare lab${skip ? ` (${skip})` : ''}`,
  () => {
    const lab: Lab = {
      stateDir: '',
      prefix: `loom-il${randomBytes(3).toString('hex')}-`,
    };
    let up: UpReport;
    let kubeconfig: string;
    const timings: Record<string, string> = {};
    // The steps after install need Loom running: without it they would only time out.
    let installed = false;

    beforeAll(async () => {
      lab.stateDir = mkdtempSync('/tmp/loom-install-lifecycle-');
      const started = Date.now();
      up = await labUp({ ...lab, nodes: 3, cni: 'none', hostApiPort: 0 });
      timings['lab up --no-install'] = seconds(Date.now() - started);
      kubeconfig = up.config.paths.hostKubeconfig;
    }, 600_000);

    afterAll(async () => {
      console.log(`install lifecycle timings: ${JSON.stringify(timings)}`);
      if (!lab.stateDir) return;
      await labDown(lab);
      rmSync(lab.stateDir, { recursive: true, force: true });
    }, 180_000);

    it('starts with 3 registered nodes, NotReady for want of a CNI', async () => {
      const nodes = await nodeObjects(lab);
      expect(nodes.map((node) => node.metadata.name).sort()).toEqual([...NODES]);
      for (const node of nodes) {
        const ready = readyCondition(node);
        expect(ready?.status, node.metadata.name).toBe('False');
        expect(ready?.message, node.metadata.name).toContain('NetworkPluginNotReady');
      }
    });

    it('loom install discovers the API server behind the loopback kubeconfig and makes every node Ready', async () => {
      expect(readFileSync(kubeconfig, 'utf8')).toMatch(/server: '?https:\/\/127\.0\.0\.1:\d+/);
      const image = up.image?.description;
      expect(image, 'lab up --no-install ensures the image').toBeDefined();
      const started = Date.now();
      const run = await loom([
        'install',
        '--kubeconfig',
        kubeconfig,
        '--image',
        `${image!.reference}@${image!.digest}`,
        '--timeout',
        '180s',
      ]);
      timings['loom install (apply + rollout)'] = seconds(Date.now() - started);
      expect(run.err, run.out).toBe('');
      expect(run.code, run.out).toBe(0);
      expect(run.out).toMatch(
        /^ {2}API server +192\.168\.1\.10:6443 +\[EndpointSlice default\/kubernetes\]/m,
      );
      expect(run.out).toMatch(/^ {2}pod CIDR +10\.244\.0\.0\/16 /m);
      expect(run.out).toContain(
        'DaemonSet loom-system/loom-node: 3/3 ready, 3/3 updated, 3 available (rolled out)',
      );
      const readyAt = Date.now();
      await expect
        .poll(
          async () =>
            (await nodeObjects(lab))
              .filter((node) => readyCondition(node)?.status === 'True')
              .map((node) => node.metadata.name)
              .sort(),
          { timeout: 60_000, interval: 500 },
        )
        .toEqual([...NODES]);
      timings['nodes Ready after rollout'] = seconds(Date.now() - readyAt);
      const rss = NODES.map((node) => ({
        node,
        agents: routeAgentRss(`${lab.prefix}${node}`),
      }));
      console.log(`loom-route-agent RSS after install: ${JSON.stringify(rss)}`);
      for (const { node, agents } of rss) expect(agents.length, node).toBe(1);
      installed = true;
    }, 240_000);

    it("gives pods addresses from their node's podCIDR and carries traffic between nodes", async (context) => {
      if (!installed) context.skip('loom install did not succeed');
      const manifests = NODES.map((node) =>
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: podName(node), namespace: PODS_NAMESPACE },
          spec: {
            nodeSelector: { 'kubernetes.io/hostname': node },
            terminationGracePeriodSeconds: 1,
            containers: [
              {
                name: 'main',
                image: AGNHOST,
                args: ['netexec', '--http-port=8080', '--udp-port=8081'],
                readinessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 1 },
              },
            ],
          },
        }),
      );
      await kubectl(lab, ['apply', '-f', '-'], manifests.join('\n'));
      await kubectl(lab, [
        'wait',
        '-n',
        PODS_NAMESPACE,
        '--for=condition=Ready',
        '--timeout=90s',
        ...NODES.map((node) => `pod/${podName(node)}`),
      ]);
      const podCidrs = new Map(
        (await nodeObjects(lab)).map((node) => [node.metadata.name, node.spec.podCIDR ?? '']),
      );
      const pods = new Map<string, PodObject>();
      for (const node of NODES) {
        const pod = JSON.parse(
          await kubectl(lab, ['get', 'pod', '-n', PODS_NAMESPACE, podName(node), '-o', 'json']),
        ) as PodObject;
        expect(pod.spec.nodeName).toBe(node);
        const cidr = podCidrs.get(node)!;
        expect(
          contains(parseCidr(cidr), parseIp(pod.status.podIP!)),
          `${pod.status.podIP} in ${cidr}`,
        ).toBe(true);
        pods.set(node, pod);
      }
      // Every pair of nodes, the server seeing the client pod's own address (no NAT between pods).
      const seen: string[] = [];
      const expected: string[] = [];
      for (const [from, client] of pods) {
        for (const [to, server] of pods) {
          if (from === to) continue;
          const result = await labExec(
            `${PODS_NAMESPACE}/${client.metadata.name}`,
            ['curl', '-sS', '--max-time', '5', `http://${server.status.podIP}:8080/clientip`],
            { ...lab, capture: true, timeoutMs: 30_000 },
          );
          seen.push(
            `${from} → ${to}: ${result.stdout.trim().replace(/:\d+$/, '') || result.stderr.trim()}`,
          );
          expected.push(`${from} → ${to}: ${client.status.podIP}`);
        }
      }
      expect(seen).toEqual(expected);
      // What uninstall must take away is there now: routes to the other nodes, the bridge, files.
      expect(await loomTraces(lab, 'node1')).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^route 10\.244\.2\.0\/24 via 192\.168\.1\.12 /),
          expect.stringMatching(/^route 10\.244\.3\.0\/24 via 192\.168\.1\.13 /),
          expect.stringMatching(/^table inet loom/),
          'file /etc/cni/net.d/10-loom.conflist',
          'file /opt/cni/bin/loom-cni',
          'file /opt/cni/bin/loom-ipam',
          'file /opt/cni/bin/loom-node',
          'link loom0',
        ]),
      );
    }, 180_000);

    it('loom status shows 3 ready loom-node pods and the facts; -o json parses', async (context) => {
      if (!installed) context.skip('loom install did not succeed');
      const text = await loom(['status', '--kubeconfig', kubeconfig]);
      expect(text.code, `${text.out}\n${text.err}`).toBe(0);
      for (const node of NODES) {
        expect(text.out).toMatch(
          new RegExp(`^${node} +Ready +10\\.244\\.\\d+\\.0/24 +loom-node-\\w+ +yes `, 'm'),
        );
      }
      expect(text.out).toMatch(/^ {2}API server: +192\.168\.1\.10:6443$/m);
      expect(text.out).toMatch(/^ {2}pod CIDR: +10\.244\.0\.0\/16$/m);
      expect(text.out).toContain('Healthy.');
      const json = await loom(['status', '--kubeconfig', kubeconfig, '-o', 'json']);
      expect(json.code).toBe(0);
      const status = JSON.parse(json.out) as {
        healthy: boolean;
        nodes: { node: string; podReady: boolean; nodeReady: boolean }[];
        config: Record<string, string>;
      };
      expect(status.healthy).toBe(true);
      expect(status.nodes.map((n) => [n.node, n.nodeReady, n.podReady])).toEqual(
        NODES.map((node) => [node, true, true]),
      );
      expect(status.config).toMatchObject({
        'api-server-host': '192.168.1.10',
        'api-server-port': '6443',
      });
    }, 60_000);

    it('loom uninstall --dry-run names the pods that would lose their network', async (context) => {
      if (!installed) context.skip('loom install did not succeed');
      const run = await loom(['uninstall', '--kubeconfig', kubeconfig, '--dry-run']);
      expect(run.code, run.err).toBe(0);
      expect(run.out).toMatch(/Warning: 3 pod\(s\) have an address from Loom's network/);
      for (const node of NODES) expect(run.out).toContain(`${PODS_NAMESPACE}/${podName(node)}`);
    }, 60_000);

    it('loom uninstall leaves no route, device, nft table or CNI file of Loom on any node', async () => {
      await kubectl(lab, [
        'delete',
        'pod',
        '-n',
        PODS_NAMESPACE,
        '--wait=true',
        '--timeout=60s',
        ...NODES.map(podName),
      ]);
      const started = Date.now();
      const run = await loom(['uninstall', '--kubeconfig', kubeconfig, '--timeout', '120s']);
      timings['loom uninstall'] = seconds(Date.now() - started);
      expect(run.err, run.out).toBe('');
      expect(run.code, run.out).toBe(0);
      expect(run.out).toContain('Loom is uninstalled.');
      for (const node of NODES) {
        // What its cleanup pod removed: the routes to the 2 other nodes, the bridge (no pod is
        // left on it), the conflist and the 3 executables, the IPAM state.
        expect(run.out).toMatch(
          new RegExp(
            `^ {2}${node}: 2 route\\(s\\); vxlan absent; nft tables removed: [^;]*loom[^;]*; bridge removed; files removed: 4; ipam state removed$`,
            'm',
          ),
        );
        expect(await loomTraces(lab, node), node).toEqual([]);
      }
      const namespaces = await kubectl(lab, ['get', 'namespaces', '-o', 'name']);
      expect(namespaces.split('\n')).not.toContain('namespace/loom-system');
      const again = await loom(['uninstall', '--kubeconfig', kubeconfig]);
      expect(again.code, again.out + again.err).toBe(0);
      expect(again.out).toContain('Loom is not installed: nothing to delete.');
    }, 240_000);
  },
);

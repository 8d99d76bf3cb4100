import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NETNS_RUN_DIR, netnsPath } from '@loom-net/core';
import {
  canUseNetns,
  createTestNetns,
  netnsSkipReason,
  skipOrFailInCi,
  type TestNetns,
} from '@loom-net/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultCriProtoPath } from '../src/cri/cri-proto.ts';
import { cachedArtifactPath } from '../src/lab-binaries.ts';

/**
 * The CRI validation suite (cri-tools' critest) against a lab runtime of its own, in a
 * throwaway network namespace where critest also runs (its host-port test dials 127.0.0.1).
 * The focus is what a process runtime can do (cri-runtime.md); the skips are images, stats,
 * streaming, sysctls, metrics, volumes and seccomp, which it does not (yet) implement.
 */
const FOCUS = [
  'Runtime info',
  'PodSandbox runtime should support basic operations',
  'Container runtime should support basic operations',
  'Container runtime should support log',
  'Idempotence',
  'port mapping',
  'HostNetwork',
  'DNS config',
  'set hostname',
].join('|');
// SeccompProfilePath: the runtime applies no seccomp profile (a "hostname" spec lives there).
const SKIP = [
  'stats',
  'Image',
  'Streaming',
  'sysctl',
  'metrics',
  'volume',
  'SeccompProfilePath',
].join('|');

const RUNTIME_MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
// RFC 5737 TEST-NET-2: only ever inside the throwaway namespace.
const POD_SUBNET = '198.51.100.0/24';

interface SpecReport {
  LeafNodeText: string;
  ContainerHierarchyTexts: string[] | null;
  State: 'passed' | 'failed' | 'skipped' | 'pending' | string;
  Failure?: { Message?: string };
}

// critest and the CRI API beside the lab's other binaries (`loom lab build` makes them).
const CRITEST = cachedArtifactPath('critest');
const missing = [defaultCriProtoPath(), CRITEST].filter((path) => !existsSync(path));
const skip = canUseNetns()
  ? skipOrFailInCi(
      missing.length === 0
        ? undefined
        : `critest needs ${missing.join(' and ')} (run \`loom lab build\`)`,
    )
  : netnsSkipReason();

describe.skipIf(skip !== undefined)(
  `critest against a dedicated lab runtime${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    let netns: TestNetns;
    let dir: string;
    let runtime: ChildProcess | undefined;
    let flags: string[];
    beforeAll(async () => {
      netns = await createTestNetns('loom-t-critest');
      dir = mkdtempSync(join(tmpdir(), 'loom-critest-'));
      const paths = {
        conf: join(dir, 'net.d'),
        cache: join(dir, 'cni-cache'),
        ipam: join(dir, 'ipam'),
        www: join(dir, 'www'),
      };
      for (const path of Object.values(paths)) mkdirSync(path, { recursive: true });
      writeFileSync(
        join(paths.conf, '10-critest.conflist'),
        JSON.stringify({
          cniVersion: '1.0.0',
          name: 'critest',
          plugins: [
            {
              type: 'bridge',
              bridge: 'cni0',
              isGateway: true,
              ipam: { type: 'host-local', ranges: [[{ subnet: POD_SUBNET }]], dataDir: paths.ipam },
            },
            { type: 'portmap', capabilities: { portMappings: true } },
          ],
        }),
      );
      // critest's web server image (nginx) is not in the built-in map: busybox httpd stands in.
      writeFileSync(join(paths.www, 'index.html'), '<h1>Welcome to nginx!</h1>\n');
      writeFileSync(
        join(dir, 'images.json'),
        JSON.stringify({
          images: [
            {
              name: 'nginx (busybox httpd)',
              repositories: ['registry.k8s.io/e2e-test-images/nginx'],
              binds: [{ path: '/usr/share/nginx/html', source: paths.www }],
              busybox: '/usr/bin/busybox',
              entrypoint: ['/bin/httpd', '-f', '-p', '80', '-h', '/usr/share/nginx/html'],
              env: ['PATH=/usr/sbin:/usr/bin:/sbin:/bin'],
            },
          ],
        }),
      );
      const socket = join(dir, 'cri.sock');
      flags = [
        ...['--socket', socket, '--state-dir', join(dir, 'state')],
        ...['--cni-conf-dir', paths.conf, '--cni-bin-dir', '/usr/lib/cni'],
        ...['--cni-cache-dir', paths.cache, '--netns-prefix', `${netns.name}-p-`],
        ...['--image-map', join(dir, 'images.json')],
      ];
      const log = openSync(join(dir, 'runtime.log'), 'a');
      runtime = spawn(
        'nsenter',
        [
          `--net=${netnsPath(netns.name)}`,
          process.execPath,
          '--conditions=loom-source',
          RUNTIME_MAIN,
          ...flags,
        ],
        { stdio: ['ignore', log, log] },
      );
      await waitForSocket(socket, runtime);
    });

    afterAll(async () => {
      if (runtime && runtime.exitCode === null) {
        const exited = new Promise((resolve) => runtime!.once('exit', resolve));
        runtime.kill('SIGTERM');
        await exited;
      }
      if (flags) {
        spawnSync(
          'nsenter',
          [
            `--net=${netnsPath(netns.name)}`,
            process.execPath,
            '--conditions=loom-source',
            RUNTIME_MAIN,
            'remove-all-pods',
            ...flags,
          ],
          { timeout: 60_000 },
        );
      }
      for (const name of podNamespaces(`${netns.name}-p-`)) {
        spawnSync('ip', ['netns', 'del', name]);
      }
      await netns?.cleanup();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('passes the CRI validation specs a process runtime can pass', async () => {
      const report = join(dir, 'critest.json');
      const socket = `unix://${join(dir, 'cri.sock')}`;
      const run = spawnSync(
        'nsenter',
        [
          `--net=${netnsPath(netns.name)}`,
          CRITEST,
          `--runtime-endpoint=${socket}`,
          `--image-endpoint=${socket}`,
          `--ginkgo.focus=${FOCUS}`,
          `--ginkgo.skip=${SKIP}`,
          `--ginkgo.json-report=${report}`,
          '--ginkgo.no-color',
        ],
        { encoding: 'utf8', timeout: 900_000, cwd: dir, maxBuffer: 64 * 1024 * 1024 },
      );
      expect(existsSync(report), `critest wrote no report: ${run.stderr.slice(-2000)}`).toBe(true);
      const specs = (JSON.parse(readFileSync(report, 'utf8')) as { SpecReports: SpecReport[] }[])
        .flatMap((suite) => suite.SpecReports)
        .filter((spec) => spec.LeafNodeText !== '');
      const name = (spec: SpecReport) =>
        [...(spec.ContainerHierarchyTexts ?? []), spec.LeafNodeText].join(' ');
      const passed = specs.filter((spec) => spec.State === 'passed').map(name);
      const failed = specs
        .filter((spec) => spec.State === 'failed')
        .map((spec) => `${name(spec)}: ${spec.Failure?.Message?.split('\n')[0]}`);
      const skipped = specs.filter((spec) => spec.State === 'skipped').length;
      process.stderr.write(
        `critest: ${passed.length} passed, ${failed.length} failed, ${skipped} skipped\n${passed.map((p) => `  ✓ ${p}`).join('\n')}\n`,
      );
      expect(failed).toEqual([]);
      expect(passed.length).toBeGreaterThanOrEqual(29);
      expect(run.status).toBe(0);
    }, 900_000);
  },
);

function podNamespaces(prefix: string): string[] {
  try {
    return readdirSync(NETNS_RUN_DIR).filter((name) => name.startsWith(prefix));
  } catch {
    return [];
  }
}

async function waitForSocket(path: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the lab runtime exited with ${child.exitCode}`);
    const accepted = await new Promise<boolean>((resolve) => {
      const socket = connect(path);
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (accepted) return;
    if (Date.now() > deadline) throw new Error(`the lab runtime did not serve ${path} within 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

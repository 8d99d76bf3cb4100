import type { ChildProcess } from 'node:child_process';
import { spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Client, ServiceError } from '@grpc/grpc-js';
import { credentials } from '@grpc/grpc-js';
import { netnsPath } from '@loom-net/core';
import type { TestNetns } from '@loom-net/core/testing';
import { createTestNetns } from '@loom-net/core/testing';
import { defaultCriProtoPath, loadCriServices } from '../src/cri/cri-proto.ts';
import { cachedArtifactPath } from '../src/lab-binaries.ts';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
// The lab's binaries where `loom lab build` put them (or LOOM_K8S_BIN_DIR).
export const CRICTL = cachedArtifactPath('crictl');
const AGNHOST = cachedArtifactPath('agnhost');
export const AGNHOST_IMAGE = 'registry.k8s.io/e2e-test-images/agnhost:2.53';
export const BUSYBOX_IMAGE = 'registry.k8s.io/e2e-test-images/busybox:1.36.1-1';

/** The test pod network (RFC 5737 TEST-NET-2), only ever inside the throwaway node netns. */
export const POD_SUBNET = '198.51.100.0/24';
export const POD_GATEWAY = '198.51.100.1';
/** The runtime's health port, on the throwaway node netns's own loopback. */
export const HEALTH_PORT = 9876;

/** What the runtime tests need beyond the kernel tier (`loom lab build` makes both). */
export function runtimeTierMissing(): string | undefined {
  const missing = [defaultCriProtoPath(), AGNHOST, CRICTL].filter((path) => !existsSync(path));
  return missing.length > 0
    ? `the lab runtime tests need ${missing.join(', ')} (run \`loom lab build\`)`
    : undefined;
}

// biome-ignore lint/suspicious/noExplicitAny: CRI messages as proto-loader decodes them.
export type Message = any;

export interface CriClient {
  runtime(method: string, request?: Message): Promise<Message>;
  image(method: string, request?: Message): Promise<Message>;
  close(): void;
}

function call(client: Client, method: string, request: Message): Promise<Message> {
  return new Promise((resolve, reject) => {
    type Callback = (error: ServiceError | null, response: Message) => void;
    const methods = client as unknown as Record<string, (request: Message, done: Callback) => void>;
    methods[method]!.call(client, request, (error, response) =>
      error ? reject(error) : resolve(response),
    );
  });
}

export function criClient(socket: string): CriClient {
  const services = loadCriServices(defaultCriProtoPath());
  const address = `unix://${socket}`;
  const runtime = new services.RuntimeService(address, credentials.createInsecure());
  const image = new services.ImageService(address, credentials.createInsecure());
  return {
    runtime: (method, request = {}) => call(runtime, method, request),
    image: (method, request = {}) => call(image, method, request),
    close: () => {
      runtime.close();
      image.close();
    },
  };
}

export interface Node {
  netns: TestNetns;
  dir: string;
  /** The runtime's log (pino JSON lines), appended across restarts. */
  logFile: string;
  socket: string;
  stateDir: string;
  confDir: string;
  cacheDir: string;
  ipamDir: string;
  logDir: string;
  netnsPrefix: string;
  runtime: ChildProcess | undefined;
  client: CriClient;
  /** Writes the bridge + host-local conflist into the conf dir. */
  installCni(): void;
  start(): Promise<void>;
  /** Stops the runtime process with `signal` and waits for it. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** `main.ts remove-all-pods` with the same flags. */
  removeAllPods(): { status: number | null; output: string };
  crictl(args: readonly string[]): { status: number | null; stdout: string; stderr: string };
  cleanup(): Promise<void>;
}

function runtimeFlags(
  node: Pick<Node, 'socket' | 'stateDir' | 'confDir' | 'cacheDir' | 'netnsPrefix'>,
  extra: readonly string[],
): string[] {
  const flags = {
    '--socket': node.socket,
    '--state-dir': node.stateDir,
    '--cni-conf-dir': node.confDir,
    '--cni-bin-dir': '/usr/lib/cni',
    '--cni-cache-dir': node.cacheDir,
    '--netns-prefix': node.netnsPrefix,
    '--log-level': 'debug',
  };
  return [...Object.entries(flags).flat(), ...extra];
}

async function waitUntilServing(
  client: CriClient,
  child: ChildProcess,
  logFile: string,
): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(
        `runtime exited with ${child.exitCode}:\n${readFileSync(logFile, 'utf8').slice(-3000)}`,
      );
    }
    try {
      await client.runtime('Version', {});
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

export interface NodeOptions {
  /** More runtime flags (`--image-archive …`). */
  runtimeFlags?: string[];
}

/** A throwaway "node": a netns, a state dir and conf dirs; the runtime runs in the netns. */
export async function createNode(options: NodeOptions = {}): Promise<Node> {
  const extraFlags = options.runtimeFlags ?? [];
  const netns = await createTestNetns();
  const dir = mkdtempSync(join(tmpdir(), 'loom-rt-'));
  const paths = {
    socket: join(dir, 'cri.sock'),
    stateDir: join(dir, 'state'),
    confDir: join(dir, 'net.d'),
    cacheDir: join(dir, 'cni-cache'),
    ipamDir: join(dir, 'ipam'),
    logDir: join(dir, 'pods'),
    netnsPrefix: `${netns.name}-p-`,
  };
  for (const d of [paths.confDir, paths.logDir]) mkdirSync(d, { recursive: true });
  const logFile = join(dir, 'runtime.log');
  const node: Node = {
    netns,
    dir,
    logFile,
    ...paths,
    runtime: undefined,
    client: criClient(paths.socket),
    installCni() {
      const conflist = {
        cniVersion: '1.0.0',
        name: 'loom-test',
        plugins: [
          {
            type: 'bridge',
            bridge: 'cni0',
            isGateway: true,
            ipMasq: false,
            ipam: {
              type: 'host-local',
              ranges: [[{ subnet: POD_SUBNET }]],
              dataDir: paths.ipamDir,
            },
          },
        ],
      };
      writeFileSync(join(paths.confDir, '10-loom-test.conflist'), JSON.stringify(conflist));
    },
    async start() {
      const log = openSync(logFile, 'a');
      const argv = [
        `--net=${netnsPath(netns.name)}`,
        process.execPath,
        '--conditions=loom-source',
        MAIN,
      ];
      const flags = [...runtimeFlags(paths, extraFlags), '--health-port', String(HEALTH_PORT)];
      const child = spawn('nsenter', [...argv, ...flags], {
        stdio: ['ignore', log, log],
      });
      node.runtime = child;
      await waitUntilServing(node.client, child, logFile);
    },
    async stop(signal = 'SIGTERM') {
      const child = node.runtime;
      if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill(signal);
      await exited;
      node.runtime = undefined;
    },
    removeAllPods() {
      const argv = [
        `--net=${netnsPath(netns.name)}`,
        process.execPath,
        '--conditions=loom-source',
        MAIN,
      ];
      const run = spawnSync(
        'nsenter',
        [...argv, 'remove-all-pods', ...runtimeFlags(paths, extraFlags)],
        {
          encoding: 'utf8',
          timeout: 60_000,
        },
      );
      return { status: run.status, output: run.stdout + run.stderr };
    },
    crictl(args) {
      const endpoint = `unix://${paths.socket}`;
      const run = spawnSync(
        CRICTL,
        ['--runtime-endpoint', endpoint, '--image-endpoint', endpoint, ...args],
        {
          encoding: 'utf8',
          env: { ...process.env, CRI_CONFIG_FILE: '/dev/null' },
          timeout: 60_000,
        },
      );
      return { status: run.status, stdout: run.stdout, stderr: run.stderr };
    },
    async cleanup() {
      node.client.close();
      await node.stop('SIGTERM');
      node.removeAllPods();
      await netns.cleanup();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return node;
}

export function podConfig(node: Node, name: string, extra: Message = {}): Message {
  return {
    metadata: { name, namespace: 'default', uid: `uid-${name}`, attempt: 0 },
    hostname: name,
    log_directory: join(node.logDir, `default_${name}_uid-${name}`),
    dns_config: {
      servers: ['192.0.2.53'],
      searches: ['default.svc.cluster.local'],
      options: ['ndots:5'],
    },
    labels: { 'io.kubernetes.pod.name': name, test: 'lab-runtime' },
    annotations: {},
    linux: {},
    ...extra,
  };
}

export function containerConfig(name: string, image: string, extra: Message = {}): Message {
  return {
    metadata: { name, attempt: 0 },
    image: { image },
    log_path: `${name}/0.log`,
    labels: { 'io.kubernetes.container.name': name },
    linux: {},
    ...extra,
  };
}

/** Writes a config as a JSON file for crictl. */
export function jsonFile(node: Node, name: string, value: unknown): string {
  const path = join(node.dir, name);
  writeFileSync(path, JSON.stringify(value));
  return path;
}

export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

import { readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readBridgeReady } from '../bridge/bridge-ready.ts';
import { renderProxyArgs } from '../bridge/proxy-route.ts';
import type { LabConfig } from '../config/lab-config.ts';
import {
  CONTROLLER_MANAGER_HEALTH_PORT,
  LAB_NETWORK,
  SCHEDULER_HEALTH_PORT,
} from '../config/network-plan.ts';
import type { NodeSettings } from '../config/node-settings.ts';
import { type ProbeResult, probe } from '../health/http-probe.ts';
import { pkiFiles } from '../pki/pki.ts';
import {
  apiServerFlags,
  controllerManagerFlags,
  etcdFlags,
  schedulerFlags,
} from './component-flags.ts';

export type ComponentName =
  | 'netns-bridge'
  | 'etcd'
  | 'kube-apiserver'
  | 'kube-controller-manager'
  | 'kube-scheduler'
  | 'host-bridge';

export interface LabContext {
  config: LabConfig;
  binDir: string;
  settings: NodeSettings;
}

export interface ComponentDefinition {
  name: ComponentName;
  /** `control-plane` runs in the control-plane namespace; `root` in the caller's. */
  namespace: 'control-plane' | 'root';
  command(context: LabContext): { file: string; args: string[] };
  /** Healthy = ready to serve (etcd /health, API server /readyz, the others /healthz). */
  probe(config: LabConfig): Promise<ProbeResult>;
  readyTimeoutMs: number;
  /** Files an earlier run may have left that would fool the probe. */
  staleFiles?(config: LabConfig): string[];
}

// The bridge script next to this module: .ts when run from source, .js once built.
const SOCKET_PROXY = fileURLToPath(
  new URL(`../bridge/socket-proxy${extname(fileURLToPath(import.meta.url))}`, import.meta.url),
);

function nodeScript(args: string[]): { file: string; args: string[] } {
  return {
    file: process.execPath,
    args: [SOCKET_PROXY, ...args],
  };
}

function adminTls(config: LabConfig) {
  const pki = pkiFiles(config.paths.pkiDir);
  return {
    ca: readFileSync(pki.ca.cert, 'utf8'),
    cert: readFileSync(pki.admin.cert, 'utf8'),
    key: readFileSync(pki.admin.key, 'utf8'),
    servername: 'kubernetes',
  };
}

async function probeBridge(readyFile: string, pidFile: string): Promise<ProbeResult> {
  const ready = readBridgeReady(readyFile, pidFile);
  return ready
    ? { ok: true, detail: ready.listening.join(', ') }
    : { ok: false, detail: 'not listening yet' };
}

/** The control plane, in start order (stop order is the reverse). */
export const COMPONENTS: readonly ComponentDefinition[] = [
  {
    name: 'netns-bridge',
    namespace: 'control-plane',
    command: ({ config }) => {
      const { sockets } = config.paths;
      const target = (port: number, host = '127.0.0.1') => ({ kind: 'tcp' as const, host, port });
      const routes = [
        {
          listen: sockets.apiServer,
          connect: target(LAB_NETWORK.apiServerPort, LAB_NETWORK.controlPlaneIp),
        },
        { listen: sockets.etcd, connect: target(2379) },
        { listen: sockets.controllerManager, connect: target(CONTROLLER_MANAGER_HEALTH_PORT) },
        { listen: sockets.scheduler, connect: target(SCHEDULER_HEALTH_PORT) },
      ].map(({ listen, connect }) => ({
        listen: { kind: 'unix' as const, path: listen },
        connect,
      }));
      return nodeScript(renderProxyArgs({ routes, readyFile: config.paths.netnsBridgeReady }));
    },
    probe: (config) =>
      probeBridge(config.paths.netnsBridgeReady, pidFileOf(config, 'netns-bridge')),
    readyTimeoutMs: 15_000,
    staleFiles: (config) => [config.paths.netnsBridgeReady],
  },
  {
    name: 'etcd',
    namespace: 'control-plane',
    command: ({ config, binDir }) => ({ file: join(binDir, 'etcd'), args: etcdFlags(config) }),
    probe: (config) => probe({ socketPath: config.paths.sockets.etcd, path: '/health' }),
    readyTimeoutMs: 30_000,
  },
  {
    name: 'kube-apiserver',
    namespace: 'control-plane',
    command: ({ config, binDir }) => ({
      file: join(binDir, 'kube-apiserver'),
      args: apiServerFlags(config),
    }),
    probe: (config) =>
      probe({ socketPath: config.paths.sockets.apiServer, path: '/readyz', tls: adminTls(config) }),
    readyTimeoutMs: 90_000,
  },
  {
    name: 'kube-controller-manager',
    namespace: 'control-plane',
    command: ({ config, binDir, settings }) => ({
      file: join(binDir, 'kube-controller-manager'),
      args: controllerManagerFlags(config, settings.podCidrs),
    }),
    probe: (config) =>
      probe({ socketPath: config.paths.sockets.controllerManager, path: '/healthz', tls: {} }),
    readyTimeoutMs: 60_000,
  },
  {
    name: 'kube-scheduler',
    namespace: 'control-plane',
    command: ({ config, binDir }) => ({
      file: join(binDir, 'kube-scheduler'),
      args: schedulerFlags(config),
    }),
    probe: (config) =>
      probe({ socketPath: config.paths.sockets.scheduler, path: '/healthz', tls: {} }),
    readyTimeoutMs: 60_000,
  },
  {
    name: 'host-bridge',
    namespace: 'root',
    command: ({ config }) =>
      nodeScript(
        renderProxyArgs({
          routes: [
            {
              listen: { kind: 'tcp', host: '127.0.0.1', port: config.hostApiPort },
              connect: { kind: 'unix', path: config.paths.sockets.apiServer },
            },
          ],
          readyFile: config.paths.hostBridgeReady,
        }),
      ),
    probe: async (config) => {
      const ready = readBridgeReady(config.paths.hostBridgeReady, pidFileOf(config, 'host-bridge'));
      if (!ready) return { ok: false, detail: 'not listening yet' };
      return probe({ host: '127.0.0.1', port: ready.port, path: '/readyz', tls: adminTls(config) });
    },
    readyTimeoutMs: 15_000,
    staleFiles: (config) => [config.paths.hostBridgeReady],
  },
];

export function componentFiles(config: LabConfig, name: ComponentName) {
  return { logFile: join(config.paths.logDir, `${name}.log`), pidFile: pidFileOf(config, name) };
}

function pidFileOf(config: LabConfig, name: ComponentName): string {
  return join(config.paths.runDir, `${name}.pid`);
}

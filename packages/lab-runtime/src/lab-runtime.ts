import { mkdirSync } from 'node:fs';
import type { Server } from '@grpc/grpc-js';
import type { HealthCheck, HealthServer, Logger } from '@loom-net/core';
import { createCommandRunner, createLogger, startHealthServer } from '@loom-net/core';
import { removeContainer } from './container/container-stop.ts';
import { startExitSweep } from './container/container-watch.ts';
import {
  imageHandlers,
  imageStreams,
  runtimeHandlers,
  runtimeStreams,
} from './cri/cri-handlers.ts';
import { loadCriServices } from './cri/cri-proto.ts';
import { startCriServer, stopCriServer } from './cri/cri-server.ts';
import { defaultImageMap } from './image/image-map.ts';
import { loadImageMap } from './image/image-map-file.ts';
import { createImageStore } from './image/image-store.ts';
import { removeFlattenedTrees } from './image/snapshot-store.ts';
import { recoverState } from './recover.ts';
import type { RuntimeContext } from './runtime-context.ts';
import { createRuntimeMetrics } from './runtime-metrics.ts';
import type { LabRuntimeOptions } from './runtime-options.ts';
import { collectGarbage } from './sandbox/cni-gc.ts';
import { removePodSandbox } from './sandbox/sandbox-stop.ts';
import { createKeyedLock } from './store/keyed-lock.ts';
import { createRuntimeStore } from './store/runtime-store.ts';

/** One lab runtime: the CRI server of one node. */
export interface LabRuntime {
  readonly context: RuntimeContext;
  /** Recovers the state dir (re-adopting running containers), collects garbage, serves. */
  start(): Promise<void>;
  /** Stops serving; containers keep running and are re-adopted by the next start. */
  stop(): Promise<void>;
  /** Stops and removes every pod (CNI DEL, netns, processes), for `loom lab down`. */
  removeAllPods(): Promise<void>;
}

function createContext(options: LabRuntimeOptions, logger: Logger): RuntimeContext {
  mkdirSync(options.stateDir, { recursive: true });
  const builtIn = defaultImageMap({ agnhost: options.agnhost, busybox: options.busybox });
  const map = options.imageMap === undefined ? builtIn : loadImageMap(options.imageMap, builtIn);
  return {
    options,
    logger,
    runner: createCommandRunner(),
    store: createRuntimeStore(options.stateDir),
    images: createImageStore(
      options.stateDir,
      { map, archives: options.imageArchives, sharedStore: options.imageStore },
      logger,
    ),
    sandboxes: new Map(),
    containers: new Map(),
    watches: new Map(),
    locks: createKeyedLock(),
    podCidr: '',
  };
}

export function createLabRuntime(options: LabRuntimeOptions, logger?: Logger): LabRuntime {
  const log = logger ?? createLogger({ component: 'lab-runtime', level: options.logLevel });
  const context = createContext(options, log);
  let server: Server | undefined;
  let stopSweep = () => {};

  const metrics = createRuntimeMetrics();
  let health: HealthServer | undefined;
  let stopMetrics = () => {};

  const startHealth = async (port: number) => {
    const serving: HealthCheck = {
      name: 'cri-server',
      check: () => (server === undefined ? { ok: false, message: 'not serving yet' } : true),
    };
    health = await startHealthServer({
      port,
      registry: metrics.registry,
      checks: [serving],
      logger: log,
    });
    const timer = setInterval(() => metrics.update(context), 5_000);
    timer.unref();
    stopMetrics = () => clearInterval(timer);
  };

  const start = async () => {
    const services = loadCriServices(options.criProto);
    if (options.healthPort !== undefined) await startHealth(options.healthPort);
    await recoverState(context);
    // Records of containers made before per-layer snapshots name their flattened tree.
    const onFlattened = [...context.containers.values()].some((c) => 'snapshot' in c);
    if (removeFlattenedTrees(options.stateDir, onFlattened))
      log.info('flattened image trees removed');
    await context.images.importArchives();
    await collectGarbage(context).catch((error) => log.warn({ err: error }, 'garbage collection'));
    stopSweep = startExitSweep(context);
    metrics.update(context);
    server = await startCriServer(
      options.socket,
      [
        {
          service: services.RuntimeService,
          unary: runtimeHandlers(context),
          streams: runtimeStreams(context),
        },
        {
          service: services.ImageService,
          unary: imageHandlers(context),
          streams: imageStreams(context),
        },
      ],
      log,
      metrics.observeCall,
    );
    log.info({ socket: options.socket, stateDir: options.stateDir }, 'lab runtime serving');
  };

  const stop = async () => {
    stopSweep();
    stopMetrics();
    if (server !== undefined) await stopCriServer(server);
    await health?.close();
    for (const watch of context.watches.values()) watch.output?.close();
  };

  const removeAllPods = async () => {
    for (const id of [...context.sandboxes.keys()]) await removePodSandbox(context, id);
    for (const id of [...context.containers.keys()]) await removeContainer(context, id);
    await collectGarbage(context);
  };

  return { context, start, stop, removeAllPods };
}

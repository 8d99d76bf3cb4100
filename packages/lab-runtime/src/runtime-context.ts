import type { CommandRunner, Logger } from '@loom-net/core';
import type { ContainerOutput } from './container/container-output.ts';
import type { ImageStore } from './image/image-store.ts';
import type { LabRuntimeOptions } from './runtime-options.ts';
import type { KeyedLock } from './store/keyed-lock.ts';
import type { ContainerRecord, SandboxRecord } from './store/records.ts';
import type { RuntimeStore } from './store/runtime-store.ts';

/** What the runtime watches of a started container until it has exited. */
export interface ContainerWatch {
  output: ContainerOutput | undefined;
  /** Resolves once the container is recorded as exited. */
  exited: Promise<void>;
  markExited(): void;
}

/** The runtime's state and services, shared by every CRI call. */
export interface RuntimeContext {
  options: LabRuntimeOptions;
  logger: Logger;
  runner: CommandRunner;
  store: RuntimeStore;
  images: ImageStore;
  sandboxes: Map<string, SandboxRecord>;
  containers: Map<string, ContainerRecord>;
  watches: Map<string, ContainerWatch>;
  locks: KeyedLock;
  /** From the kubelet's UpdateRuntimeConfig; informational (no CNI config template here). */
  podCidr: string;
}

export function sandboxLock(id: string): string {
  return `sandbox/${id}`;
}

export function containerLock(id: string): string {
  return `container/${id}`;
}

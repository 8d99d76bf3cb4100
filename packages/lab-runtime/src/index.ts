// @loom-net/lab-runtime: Loom's CRI runtime for lab nodes. Its command is src/main.ts; this is
// what the lab (and a test) use of it as a library.
export type { CriServices } from './cri/cri-proto.ts';
export { defaultCriProtoPath, loadCriServices } from './cri/cri-proto.ts';
export { RUNTIME_NAME, RUNTIME_VERSION } from './cri/runtime-info.ts';
export type { ImageBind, ImageDefinition, ImageMap } from './image/image-map.ts';
export { DEFAULT_BUSYBOX, defaultAgnhostPath, defaultImageMap } from './image/image-map.ts';
export { parseImageMap } from './image/image-map-file.ts';
export type { LabRuntime } from './lab-runtime.ts';
export { createLabRuntime } from './lab-runtime.ts';
export { isRuntimeError, RuntimeError, type RuntimeErrorCode } from './runtime-error.ts';
export type { RuntimeCommand, RuntimeInvocation } from './runtime-flags.ts';
export { parseRuntimeArgs, RUNTIME_USAGE } from './runtime-flags.ts';
export type { LabRuntimeOptions } from './runtime-options.ts';
export { DEFAULT_NETNS_PREFIX } from './runtime-options.ts';
export type { ContainerRecord, SandboxRecord } from './store/records.ts';

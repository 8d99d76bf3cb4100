export { abortableDelay } from './abortable-delay.ts';
export { type Backoff, type BackoffOptions, createBackoff } from './backoff.ts';
export {
  type Controller,
  type ControllerOptions,
  createController,
  type KeyedControllerOptions,
  type SyncAllControllerOptions,
} from './controller.ts';
export {
  type ControllerMetrics,
  type ControllerMetricsOptions,
  controllerMetrics,
} from './controller-metrics.ts';
export { type ControllerSource, controllerSource } from './controller-source.ts';
export {
  createEventRecorder,
  type EventRecord,
  type EventRecorder,
  type EventRecorderOptions,
  type ObjectReference,
  referenceTo,
} from './event-recorder.ts';
export {
  createInformer,
  type Informer,
  type InformerListeners,
  type InformerOptions,
  InformerStoppedError,
  type UpdateInfo,
} from './informer.ts';
export {
  createKubeClient,
  type KubeClient,
  type KubeClientConfig,
  type KubeClientOptions,
  type KubeMethod,
  type KubeRequest,
} from './kube-client.ts';
export { KubeConfig } from './kube-config.ts';
export {
  KubeConfigInvalidError,
  KubeConfigNotFoundError,
  KubeCredentialError,
} from './kube-config-errors.ts';
export type {
  KubeCluster,
  KubeConfigOptions,
  KubeContext,
  KubeExecConfig,
  KubeUser,
} from './kube-config-model.ts';
export {
  isKubeApiError,
  KubeApiError,
  KubeConnectionError,
  WatchDecodeError,
} from './kube-errors.ts';
export { type KubeLogger, silentKubeLogger } from './kube-logger.ts';
export {
  type KubeObject,
  type KubeStatus,
  type ObjectMeta,
  objectKey,
  splitObjectKey,
} from './kube-object.ts';
export {
  createLeaderElector,
  type LeaderElectionOptions,
  type LeaderElector,
  type Lease,
  type LeaseSpec,
} from './leader-election.ts';
export { type ListOptions, type ListResult, listAll } from './list-pager.ts';
export {
  type LoadKubeConfigOptions,
  loadKubeConfig,
  SERVICE_ACCOUNT_DIR,
} from './load-kube-config.ts';
export {
  type CacheChange,
  createObjectCache,
  type ObjectCache,
  type ObjectCacheOptions,
} from './object-cache.ts';
export { type Indexers, type IndexFunc, UnknownIndexError } from './object-index.ts';
export { withoutManagedFields } from './object-transform.ts';
export * from './objects/index.ts';
export {
  createExponentialRateLimiter,
  type RateLimiter,
  type RateLimiterOptions,
} from './rate-limiter.ts';
export { type ResourceRef, resourcePath } from './resource-path.ts';
export {
  createSyncRunner,
  type SyncRequest,
  type SyncRunner,
  type SyncRunnerMetrics,
  type SyncRunnerOptions,
} from './sync-runner.ts';
export { readWatchEvents, type WatchEvent, type WatchEventType } from './watch-stream.ts';
export {
  createWorkQueue,
  type Reconcile,
  type ReconcileResult,
  type ShutdownOptions,
  type WorkQueue,
  type WorkQueueMetrics,
  type WorkQueueOptions,
} from './work-queue.ts';

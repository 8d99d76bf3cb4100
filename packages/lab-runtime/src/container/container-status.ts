import { CriError } from '../cri/cri-error.ts';
import type { ContainerFilter, ContainerStateName } from '../cri/cri-types.ts';
import type { RuntimeContext } from '../runtime-context.ts';
import { lookupId, matchesLabels, requireId } from '../store/id-lookup.ts';
import type { ContainerRecord } from '../store/records.ts';

export function containerStateName(record: ContainerRecord): ContainerStateName {
  const names = {
    created: 'CONTAINER_CREATED',
    running: 'CONTAINER_RUNNING',
    exited: 'CONTAINER_EXITED',
    unknown: 'CONTAINER_UNKNOWN',
  } as const;
  return names[record.state];
}

function imageSpec(record: ContainerRecord) {
  return {
    image: record.imageName,
    annotations: record.config.image?.annotations ?? {},
    user_specified_image: record.config.image?.user_specified_image ?? '',
  };
}

/** The CRI `Container` of ListContainers. */
export function toCriContainer(record: ContainerRecord) {
  return {
    id: record.id,
    pod_sandbox_id: record.sandboxId,
    metadata: record.config.metadata,
    image: imageSpec(record),
    image_ref: record.imageRef,
    image_id: record.imageId,
    state: containerStateName(record),
    created_at: record.createdAt,
    labels: record.config.labels,
    annotations: record.config.annotations,
  };
}

/** The CRI `ContainerStatus`; reason, message and exit code only once it has exited. */
export function toCriContainerStatus(record: ContainerRecord) {
  const exited = record.state === 'exited';
  return {
    ...toCriContainer(record),
    started_at: record.startedAt,
    finished_at: record.finishedAt,
    exit_code: exited ? record.exitCode : 0,
    reason: exited ? record.reason : '',
    message: record.message,
    mounts: record.config.mounts,
    log_path: record.logPath,
    stop_signal: `SIGNAL_${record.stopSignal}`,
  };
}

export function containerStatus(ctx: RuntimeContext, id: string, verbose: boolean) {
  const record = requireId(ctx.containers, id, 'container');
  const info = verbose
    ? {
        info: JSON.stringify({
          sandboxID: record.sandboxId,
          pid: record.process?.pid ?? 0,
          shimPid: record.shim?.pid ?? 0,
          argv: record.argv,
          env: record.env,
          workingDir: record.workingDir,
          stateDir: ctx.store.containerDir(record.id),
        }),
      }
    : {};
  return { status: toCriContainerStatus(record), info };
}

export function filterContainers(ctx: RuntimeContext, filter: Partial<ContainerFilter> | null) {
  let records = [...ctx.containers.values()];
  if (filter?.id) {
    const one = lookupId(ctx.containers, filter.id, 'container');
    records = one === undefined ? [] : [one];
  }
  if (filter?.pod_sandbox_id) {
    const sandbox = lookupId(ctx.sandboxes, filter.pod_sandbox_id, 'sandbox');
    records = records.filter((r) => r.sandboxId === sandbox?.id);
  }
  const state = filter?.state?.state;
  if (state) records = records.filter((r) => containerStateName(r) === state);
  return records.filter((r) => matchesLabels(r.config.labels, filter?.label_selector));
}

/** ReopenContainerLog: only for a running container; the new file is open on return. */
export function reopenContainerLog(ctx: RuntimeContext, id: string): void {
  const record = requireId(ctx.containers, id, 'container');
  const output = ctx.watches.get(record.id)?.output;
  if (record.state !== 'running' || output === undefined) {
    throw new CriError('FAILED_PRECONDITION', `container ${record.id} is not running`);
  }
  output.reopen();
}

import type { ContainerStatus, PodObject } from '../cluster/pod-object.ts';

export type PodProblemKind =
  | 'unschedulable'
  | 'image-pull'
  | 'crash-loop'
  | 'container-config'
  | 'init-running'
  | 'not-ready'
  | 'pending';

/** Why a pod is not ready, in a user's words; `logs` says whose log would tell more. */
export interface PodProblem {
  readonly pod: string;
  readonly node?: string;
  readonly kind: PodProblemKind;
  readonly message: string;
  readonly logs?: { readonly container: string; readonly previous: boolean };
}

const IMAGE_PULL = new Set([
  'ErrImagePull',
  'ImagePullBackOff',
  'InvalidImageName',
  'ErrImageNeverPull',
]);
const NEVER_STARTED = new Set(['StartError', 'ContainerCannotRun']);
const CONFIG = new Set(['CreateContainerConfigError', 'CreateContainerError', 'RunContainerError']);

/**
 * Reads a pod's status the way one reads `kubectl describe pod`: unschedulable first (nothing
 * else happens before), then init containers in order (a stuck one blocks the rest), then the
 * main containers. Returns nothing for a ready pod.
 */
export function podProblems(pod: PodObject): PodProblem[] {
  const name = `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? '?'}`;
  const node = pod.spec?.nodeName;
  const problem = (p: Omit<PodProblem, 'pod' | 'node'>): PodProblem => ({
    pod: name,
    ...(node ? { node } : {}),
    ...p,
  });
  const scheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
  if (scheduled?.status === 'False') {
    return [
      problem({
        kind: 'unschedulable',
        message: `not scheduled: ${scheduled.message ?? scheduled.reason ?? 'no reason given'}`,
      }),
    ];
  }
  const init = (pod.status?.initContainerStatuses ?? []).find((c) => !c.ready);
  if (init) return [problem(containerProblem(init, true) ?? initRunning(init))];
  const containers = (pod.status?.containerStatuses ?? []).flatMap((c) => {
    if (c.ready) return [];
    return [problem(containerProblem(c, false) ?? notReady(c))];
  });
  if (containers.length > 0) return containers;
  const ready = pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
  if (ready) return [];
  const why =
    pod.status?.message ?? pod.status?.reason ?? `phase ${pod.status?.phase ?? 'unknown'}`;
  return [problem({ kind: 'pending', message: `not ready: ${why}` })];
}

function containerProblem(
  status: ContainerStatus,
  init: boolean,
): Omit<PodProblem, 'pod' | 'node'> | undefined {
  const which = `${init ? 'init container' : 'container'} ${status.name}`;
  const waiting = status.state?.waiting;
  const reason = waiting?.reason ?? '';
  if (IMAGE_PULL.has(reason)) {
    return {
      kind: 'image-pull',
      message: `${which}: ${reason}: ${waiting?.message ?? 'cannot pull the image'} (image ${status.image ?? '?'})`,
    };
  }
  if (CONFIG.has(reason)) {
    return {
      kind: 'container-config',
      message: `${which}: ${reason}: ${waiting?.message ?? ''}`.trimEnd(),
    };
  }
  const last = status.lastState?.terminated;
  if (
    reason === 'CrashLoopBackOff' ||
    (last && (status.restartCount ?? 0) > 0 && !status.state?.running)
  ) {
    const why = [last?.reason, last?.message?.trim()].filter(Boolean).join(': ');
    const exit = last ? `, last exit ${last.exitCode ?? '?'}${why ? ` (${why})` : ''}` : '';
    // A container that never started (the runtime could not run its command) has no log.
    const started = !NEVER_STARTED.has(last?.reason ?? '');
    return {
      kind: 'crash-loop',
      message: `${which}: CrashLoopBackOff, ${status.restartCount ?? 0} restart(s)${exit}`,
      // While it backs off, the newest container is the one that crashed (kubectl logs, no -p).
      ...(started ? { logs: { container: status.name, previous: false } } : {}),
    };
  }
  const terminated = status.state?.terminated;
  if (terminated && terminated.exitCode !== 0) {
    return {
      kind: 'crash-loop',
      message: `${which}: exited ${terminated.exitCode ?? '?'}${terminated.reason ? ` (${terminated.reason})` : ''}`,
      logs: { container: status.name, previous: false },
    };
  }
  return undefined;
}

function initRunning(status: ContainerStatus): Omit<PodProblem, 'pod' | 'node'> {
  const since = status.state?.running?.startedAt;
  const state = since ? `running since ${since}` : (status.state?.waiting?.reason ?? 'waiting');
  return {
    kind: 'init-running',
    message: `init container ${status.name} has not finished (${state})`,
    logs: { container: status.name, previous: false },
  };
}

function notReady(status: ContainerStatus): Omit<PodProblem, 'pod' | 'node'> {
  const state = status.state?.running
    ? 'running, readiness probe not passing'
    : (status.state?.waiting?.reason ?? 'not started');
  return {
    kind: 'not-ready',
    message: `container ${status.name}: ${state}`,
    logs: { container: status.name, previous: false },
  };
}

/** The last `n` non-empty lines of a log, for a crash report. */
export function lastLines(log: string, n: number): string[] {
  return log
    .split('\n')
    .filter((line) => line.trim() !== '')
    .slice(-n);
}

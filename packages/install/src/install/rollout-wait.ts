import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeClient } from '@loom-net/core';
import { objectPath, resourceOf } from '../cluster/api-resources.ts';
import { getOptional, listItems, readPodLog } from '../cluster/kube-calls.ts';
import type { ManifestObject } from '../cluster/manifest-object.ts';
import type { PodObject } from '../cluster/pod-object.ts';
import { lastLines, type PodProblem, podProblems } from './pod-problems.ts';
import { formatRollout, type WorkloadRollout, workloadRollout } from './rollout-status.ts';

/** A problem with the log lines that explain it (a crash loop's last ~10 lines). */
export interface ExplainedProblem extends PodProblem {
  readonly logLines?: readonly string[];
}

export interface RolloutOutcome {
  readonly done: boolean;
  readonly rollouts: readonly WorkloadRollout[];
  /** On timeout: every pod of an unfinished workload that is not ready, and why. */
  readonly problems: readonly ExplainedProblem[];
  readonly elapsedMs: number;
}

export interface RolloutWaitOptions {
  readonly timeoutMs: number;
  readonly pollMs?: number;
  readonly logLines?: number;
  readonly onProgress?: (line: string) => void;
}

interface WorkloadWithSelector extends ManifestObject {
  spec?: { selector?: { matchLabels?: Record<string, string> } };
}

/**
 * Waits until every workload has rolled out, printing each one's counts when they change.
 * Polls (once a second by default) rather than watches: a handful of objects, and a poll
 * survives an API server restart without resuming a watch.
 */
export async function waitForRollouts(
  client: KubeClient,
  workloads: readonly ManifestObject[],
  options: RolloutWaitOptions,
): Promise<RolloutOutcome> {
  const started = Date.now();
  const printed = new Map<string, string>();
  let current: { object: ManifestObject; rollout: WorkloadRollout }[] = [];
  for (;;) {
    current = await readWorkloads(client, workloads);
    for (const { rollout } of current) {
      const line = formatRollout(rollout);
      if (printed.get(rollout.object) !== line) options.onProgress?.(line);
      printed.set(rollout.object, line);
    }
    const elapsedMs = Date.now() - started;
    const rollouts = current.map((c) => c.rollout);
    if (current.length === workloads.length && rollouts.every((r) => r.done)) {
      return { done: true, rollouts, problems: [], elapsedMs };
    }
    if (elapsedMs >= options.timeoutMs) {
      const unfinished = current.filter((c) => !c.rollout.done).map((c) => c.object);
      const problems = await explainUnfinished(client, unfinished, options.logLines ?? 10);
      return { done: false, rollouts, problems, elapsedMs };
    }
    await sleep(Math.min(options.pollMs ?? 1000, options.timeoutMs - elapsedMs));
  }
}

async function readWorkloads(client: KubeClient, workloads: readonly ManifestObject[]) {
  const read = await Promise.all(
    workloads.map(async (w) => {
      const resource = resourceOf(w.kind);
      if (!resource) return undefined;
      return getOptional<ManifestObject>(
        client,
        objectPath(resource, w.metadata.namespace, w.metadata.name),
      );
    }),
  );
  return read.flatMap((object) => (object ? [{ object, rollout: workloadRollout(object) }] : []));
}

/** The not-ready pods of each workload (found by its selector) and why, with log lines. */
export async function explainUnfinished(
  client: KubeClient,
  workloads: readonly ManifestObject[],
  logLines: number,
): Promise<ExplainedProblem[]> {
  const problems: ExplainedProblem[] = [];
  for (const workload of workloads) {
    const labels = (workload as WorkloadWithSelector).spec?.selector?.matchLabels ?? {};
    const selector = Object.entries(labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    const namespace = workload.metadata.namespace ?? 'default';
    const pods = await listItems<PodObject>(client, `/api/v1/namespaces/${namespace}/pods`, {
      labelSelector: selector || undefined,
    });
    if (pods.length === 0) {
      problems.push({
        pod: `${workload.kind} ${namespace}/${workload.metadata.name}`,
        kind: 'pending',
        message: 'has no pod yet',
      });
    }
    for (const pod of pods) {
      for (const problem of podProblems(pod))
        problems.push(await withLogs(client, problem, logLines));
    }
  }
  return problems;
}

async function withLogs(
  client: KubeClient,
  problem: PodProblem,
  n: number,
): Promise<ExplainedProblem> {
  if (!problem.logs || problem.kind === 'not-ready') return problem;
  const [namespace = '', name = ''] = problem.pod.split('/');
  const read = (previous: boolean) =>
    readPodLog(client, namespace, name, {
      container: problem.logs?.container,
      tailLines: n,
      previous,
    })
      .then((log) => lastLines(log, n))
      .catch((error: Error) => error);
  // The newest container's log first; when it is empty (a container just restarted) or gone,
  // the previous run's.
  const newest = await read(problem.logs.previous);
  if (!(newest instanceof Error) && newest.length > 0) return { ...problem, logLines: newest };
  const other = await read(!problem.logs.previous);
  if (!(other instanceof Error) && other.length > 0) {
    return {
      ...problem,
      logs: { ...problem.logs, previous: !problem.logs.previous },
      logLines: other,
    };
  }
  const why = newest instanceof Error ? newest.message : 'the log is empty';
  return { ...problem, logLines: [`(cannot read the log: ${why})`] };
}

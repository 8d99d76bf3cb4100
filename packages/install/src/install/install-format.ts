import { dump } from 'js-yaml';
import type { ManifestObject } from '../cluster/manifest-object.ts';
import type { ClusterFacts } from '../discovery/cluster-discovery.ts';
import type { DiscoveredFact } from '../discovery/discovered-fact.ts';
import type { PreflightCheck } from '../preflight/preflight-checks.ts';
import type { AppliedObject } from './apply-objects.ts';
import type { InstallReport } from './install-loom.ts';
import type { ExplainedProblem } from './rollout-wait.ts';

const MARK = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL' } as const;

function fact<T>(
  label: string,
  f: DiscoveredFact<T> | undefined,
  show: (value: T) => string,
): string {
  if (!f) return `  ${label.padEnd(18)} (not found)`;
  const caveat = f.caveat ? ` — ${f.caveat}` : '';
  return `  ${label.padEnd(18)} ${show(f.value)}  [${f.source}]${caveat}`;
}

/** The cluster facts, each with where it came from. */
export function formatFacts(facts: ClusterFacts): string[] {
  return [
    'Cluster:',
    fact('pod CIDR', facts.clusterCidrs, (v) => v.join(',')),
    fact('service CIDR', facts.serviceCidrs, (v) => v.join(',')),
    fact('node CIDR size', facts.nodeCidrMaskSize, (v) => `/${v}`),
    fact('API server', facts.apiServer, (v) => `${v.host}:${v.port}`),
    ...facts.notes.map((note) => `  note: ${note}`),
  ];
}

export function formatPreflight(checks: readonly PreflightCheck[]): string[] {
  return [
    'Preflight:',
    ...checks.map((c) => `  ${MARK[c.verdict]} ${c.name.padEnd(18)} ${c.detail}`),
  ];
}

export function formatApplied(applied: AppliedObject): string {
  return `  ${applied.object} ${applied.outcome}${applied.why ? ` (${applied.why})` : ''}`;
}

/** One block per not-ready pod: what is wrong, and the log lines that say why. */
export function formatProblems(problems: readonly ExplainedProblem[]): string[] {
  return problems.flatMap((p) => [
    `  ${p.pod}${p.node ? ` on ${p.node}` : ''}: ${p.message}`,
    ...(p.logLines && p.logLines.length > 0
      ? [
          `    last log lines (${p.logs?.container ?? ''}${p.logs?.previous ? ', previous run' : ''}):`,
          ...p.logLines.map((l) => `      ${l}`),
        ]
      : []),
  ]);
}

/** The objects as one multi-document YAML stream (`--dry-run`). */
export function formatObjectsYaml(objects: readonly ManifestObject[]): string {
  return objects
    .map((o) => dump(o, { noRefs: true, lineWidth: -1 }))
    .map((doc) => `---\n${doc}`)
    .join('');
}

/** The last lines of `loom install`: the outcome, and on a timeout the reasons. */
export function formatInstallSummary(report: InstallReport): string[] {
  if (report.dryRun === 'server') {
    const validated = report.applied.filter((a) => a.outcome === 'validated').length;
    const skipped = report.applied.length - validated;
    const note = skipped > 0 ? ` (${skipped} skipped: their namespace does not exist yet)` : '';
    return [`Server dry run: ${validated} object(s) validated${note}, nothing stored.`];
  }
  if (report.dryRun === 'client')
    return [`Dry run: ${report.objects.length} object(s), nothing applied.`];
  if (!report.rollout) return ['Loom was not installed: preflight failed (see FAIL above).'];
  const seconds = (report.rollout.elapsedMs / 1000).toFixed(1);
  const changed = report.applied.filter((a) => a.outcome !== 'unchanged').length;
  if (report.rollout.done) {
    return [
      `Loom is installed: ${report.applied.length} object(s) applied (${changed} changed), rolled out in ${seconds} s.`,
    ];
  }
  return [
    `Timed out after ${seconds} s: not rolled out:`,
    ...report.rollout.rollouts
      .filter((r) => !r.done)
      .map((r) => `  ${r.object}: ${r.ready}/${r.desired} ready`),
    'Pods not ready:',
    ...formatProblems(report.rollout.problems),
  ];
}

import { NetError } from './errors.ts';

/** One thing wrong with a configuration, located by its field path. */
export interface ConfigIssue {
  /** e.g. `clusterConfig.serviceCidrs[0]`. */
  readonly path: string;
  /** The offending value as given. */
  readonly value: unknown;
  /** The whole line: `clusterConfig.serviceCidrs[0]: "10.96.0.0/33" is not a valid CIDR: …`. */
  readonly message: string;
}

export class ClusterConfigError extends NetError<'LOOM_INVALID_CLUSTER_CONFIG'> {
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    const lines = issues.map((issue) => issue.message);
    const message =
      lines.length === 1
        ? `invalid cluster config: ${lines[0]}`
        : `invalid cluster config (${lines.length} problems):\n  ${lines.join('\n  ')}`;
    super('LOOM_INVALID_CLUSTER_CONFIG', message);
    this.name = 'ClusterConfigError';
    this.issues = issues;
  }
}

/** Collects issues so validation reports every problem at once, not the first. */
export interface IssueList {
  readonly issues: ConfigIssue[];
  /** Records `path: <problem>`; `problem` should start with the quoted value when it names it. */
  add(path: string, value: unknown, problem: string): void;
}

export function issueList(): IssueList {
  const issues: ConfigIssue[] = [];
  return {
    issues,
    add(path, value, problem) {
      issues.push(Object.freeze({ path, value, message: `${path}: ${problem}` }));
    },
  };
}

/** A value as it appears in messages: strings and arrays quoted as JSON. */
export function quote(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'bigint') return value.toString();
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

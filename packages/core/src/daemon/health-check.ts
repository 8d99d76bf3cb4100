/** What a check reports. `hard` means waiting will not help: liveness fails and the pod restarts. */
export interface HealthCheckResult {
  ok: boolean;
  /** Shown after `failed:` in the report, e.g. `2 of 3 nodes`. */
  message?: string;
  hard?: boolean;
}

/** A named readiness check; it should read in-memory state and answer quickly. */
export interface HealthCheck {
  name: string;
  check(): HealthCheckResult | boolean | Promise<HealthCheckResult | boolean>;
}

export interface CheckOutcome {
  name: string;
  ok: boolean;
  hard: boolean;
  message: string | undefined;
}

function timeout(ms: number): { promise: Promise<never>; cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`check timed out after ${ms} ms`)), ms);
  });
  return { promise, cancel: () => clearTimeout(timer) };
}

/** Runs one check; a throw or a timeout is a (soft) failure, never an exception. */
export async function runCheck(check: HealthCheck, timeoutMs: number): Promise<CheckOutcome> {
  const limit = timeout(timeoutMs);
  try {
    const result = await Promise.race([Promise.resolve().then(() => check.check()), limit.promise]);
    const { ok, message, hard = false } = typeof result === 'boolean' ? { ok: result } : result;
    return { name: check.name, ok, hard: !ok && hard, message };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { name: check.name, ok: false, hard: false, message };
  } finally {
    limit.cancel();
  }
}

/** One line per check in kube-apiserver's `?verbose` style: `[-]routes failed: 2 of 3 nodes`. */
export function renderCheckLine(outcome: CheckOutcome): string {
  if (outcome.ok) return `[+]${outcome.name} ok`;
  return outcome.message
    ? `[-]${outcome.name} failed: ${outcome.message}`
    : `[-]${outcome.name} failed`;
}

/**
 * The response body: `ok` on success (the full list with `verbose`), the full list and
 * `<endpoint> check failed` on failure, as kube-apiserver answers.
 */
export function renderReport(
  endpoint: string,
  outcomes: readonly CheckOutcome[],
  passed: boolean,
  verbose: boolean,
): string {
  if (passed && !verbose) return 'ok\n';
  const lines = outcomes.map(renderCheckLine);
  lines.push(`${endpoint} check ${passed ? 'passed' : 'failed'}`);
  return `${lines.join('\n')}\n`;
}

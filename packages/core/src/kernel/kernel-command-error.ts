import type { KernelCommand } from './kernel-command.ts';
import { renderCommand } from './kernel-command.ts';

/**
 * Why a kernel command failed, for callers that must be idempotent (adding what exists,
 * deleting what is gone) or that retry (busy).
 */
export type KernelErrorReason =
  | 'exists'
  | 'not-found'
  | 'permission'
  | 'busy'
  | 'invalid'
  | 'unknown';

// First match wins: "Cannot create namespace file …: File exists" is `exists`, not `not-found`.
const REASONS: ReadonlyArray<readonly [RegExp, KernelErrorReason]> = [
  [/File exists/i, 'exists'],
  [/No such file or directory|Cannot find device|No such process|No such device/i, 'not-found'],
  [/does not exist|not found/i, 'not-found'],
  [/Operation not permitted|Permission denied/i, 'permission'],
  [/Device or resource busy|Resource busy/i, 'busy'],
  [/Invalid argument|syntax error|parse|invalid|unknown|not supported|Error: either/i, 'invalid'],
];

export function classifyStderr(stderr: string): KernelErrorReason {
  for (const [pattern, reason] of REASONS) if (pattern.test(stderr)) return reason;
  return 'unknown';
}

// Lines the tools print around the real error: ip's batch position, nft's echo of the input.
const NOISE = /^Command failed |^\s*\^+\s*$/;
const PREFIXES =
  /^(RTNETLINK answers: |nsenter: |sysctl: |conntrack v[\d.]+ \(conntrack-tools\): )/;
const NFT_LOCATION = /^(?:\/dev\/stdin|-):(\d+):[\d-]+: Error: (.*)$/;

/** The one line of stderr that says what went wrong, without the tool's decoration. */
export function summarizeStderr(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !NOISE.test(line));
  const line = lines.find((l) => l.includes('Error:')) ?? lines[0];
  if (line === undefined) return '';
  const located = NFT_LOCATION.exec(line);
  const text = located ? `${located[2]} (input line ${located[1]})` : line;
  return text
    .replace(/^.*?Error: /, '')
    .replace(PREFIXES, '')
    .replace(/\.$/, '');
}

export interface KernelFailure {
  stderr: string;
  exitCode: number | null;
  /** Overrides the summary taken from stderr (timeouts, spawn failures, a missing netns). */
  detail?: string;
  /** Overrides the reason classified from stderr. */
  reason?: KernelErrorReason;
  cause?: unknown;
}

/** A kernel tool exited non-zero, timed out or could not be started. */
export class KernelCommandError extends Error {
  readonly code = 'LOOM_KERNEL_COMMAND_FAILED';
  /** The command as a shell line, e.g. `ip -n loom-node1 route add 10.244.2.0/24 via 192.168.1.12`. */
  readonly command: string;
  readonly netns: string | undefined;
  readonly stderr: string;
  /** null when the process never exited on its own (timeout, spawn failure). */
  readonly exitCode: number | null;
  readonly reason: KernelErrorReason;

  constructor(command: KernelCommand, failure: KernelFailure) {
    const rendered = renderCommand(command);
    const detail =
      failure.detail ?? (summarizeStderr(failure.stderr) || `exit code ${failure.exitCode}`);
    const where = command.netns === undefined ? '' : ` in netns ${command.netns}`;
    super(`${rendered} failed${where}: ${detail}`, { cause: failure.cause });
    this.name = 'KernelCommandError';
    this.command = rendered;
    this.netns = command.netns;
    this.stderr = failure.stderr;
    this.exitCode = failure.exitCode;
    this.reason = failure.reason ?? classifyStderr(failure.stderr);
  }
}

export function isKernelCommandError(
  error: unknown,
  reason?: KernelErrorReason,
): error is KernelCommandError {
  return error instanceof KernelCommandError && (reason === undefined || error.reason === reason);
}
